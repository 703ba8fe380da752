// `mini-openclaw export --out FILE` as a real process: a failed export leaves the previous FILE whole and names the agent.
import { describe, expect, it } from 'bun:test';
import { lstatSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runMain } from '../../support/run-main';
import { startTestServer } from '../../support/start-test-server';
import { makeTempDir } from '../../support/temp-dir';

describe('mini-openclaw export', () => {
  it('a damaged agent database: exit 1 naming the agent, the previous backup untouched, no temporary left', async () => {
    using folder = makeTempDir('moc-export-');
    const dataDir = join(folder.path, 'data');
    {
      await using server = await startTestServer({ dataDir });
      expect((await server.json('POST', '/api/agents', { agent_id: 'beta' })).status).toBe(200);
      expect((await server.json('POST', '/api/sessions', { title: 'Kept' })).status).toBe(200);
    }
    const backup = join(folder.path, 'b.jsonl');
    const first = await runMain(folder.path, ['export', '--out', backup, '--data-dir', dataDir]);
    expect(first.code).toBe(0);
    const good = readFileSync(backup, 'utf8');
    expect(good).toContain('"title":"Kept"');

    const damaged = join(dataDir, 'workspaces', 'beta', 'storage', 'agent.db');
    for (const side of ['-wal', '-shm']) writeFileSync(`${damaged}${side}`, '');
    writeFileSync(damaged, 'this is no SQLite file, only damaged bytes '.repeat(200));
    const second = await runMain(folder.path, ['export', '--out', backup, '--data-dir', dataDir]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('mini-openclaw export: failed: agent beta: file is not a database');
    expect(readFileSync(backup, 'utf8')).toBe(good);
    expect(readdirSync(folder.path).sort()).toEqual(['b.jsonl', 'data']);
  }, 30_000);

  it('replaces the previous file only once the new one is whole, keeping its mode; follows a link; streams to a device', async () => {
    using folder = makeTempDir('moc-export-');
    const dataDir = join(folder.path, 'data');
    {
      await using server = await startTestServer({ dataDir });
      expect((await server.json('POST', '/api/sessions', { title: 'New' })).status).toBe(200);
    }
    const backup = join(folder.path, 'b.jsonl');
    writeFileSync(backup, 'an older backup\n', { mode: 0o600 });
    const result = await runMain(folder.path, ['export', '--out', backup, '--data-dir', dataDir]);
    expect(result.code).toBe(0);
    expect(readFileSync(backup, 'utf8')).toContain('"title":"New"');
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    expect(readdirSync(folder.path).sort()).toEqual(['b.jsonl', 'data']);

    // A link is followed: its target is replaced and the link stays.
    symlinkSync('b.jsonl', join(folder.path, 'latest.jsonl'));
    writeFileSync(backup, 'an older backup\n');
    const linked = await runMain(folder.path, ['export', '--out', 'latest.jsonl', '--data-dir', dataDir]);
    expect(linked.code).toBe(0);
    expect(lstatSync(join(folder.path, 'latest.jsonl')).isSymbolicLink()).toBe(true);
    expect(readFileSync(backup, 'utf8')).toContain('"title":"New"');
    // A device is written in place, never renamed over (as root, that would replace /dev/null itself).
    const discarded = await runMain(folder.path, ['export', '--out', '/dev/null', '--data-dir', dataDir]);
    expect(discarded.code).toBe(0);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(readdirSync(folder.path).sort()).toEqual(['b.jsonl', 'data', 'latest.jsonl']);
  }, 30_000);
});
