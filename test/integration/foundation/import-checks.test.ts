// `mini-openclaw import` as a real process given a file from elsewhere: what is wrong is refused before a row is written.
import { describe, expect, it } from 'bun:test';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runMain } from '../../support/run-main';
import { startTestServer } from '../../support/start-test-server';
import { makeTempDir } from '../../support/temp-dir';

/** An export of one agent `alpha` with two sessions, as its lines. */
async function exportedLines(folder: string): Promise<string[]> {
  const source = join(folder, 'source');
  {
    await using server = await startTestServer({ dataDir: source });
    expect((await server.json('POST', '/api/agents', { agent_id: 'alpha' })).status).toBe(200);
    for (const title of ['One', 'Two'])
      expect((await server.json('POST', '/api/sessions?agent_id=alpha', { title })).status).toBe(200);
  }
  const file = join(folder, 'good.jsonl');
  expect((await runMain(folder, ['export', '--out', file, '--data-dir', source])).code).toBe(0);
  return readFileSync(file, 'utf8').trimEnd().split('\n');
}

describe('mini-openclaw import', () => {
  it('refuses bad agent ids, stray and repeated rows without writing, and imports the good file after', async () => {
    using folder = makeTempDir('moc-import-checks-');
    const lines = await exportedLines(folder.path);
    const [header, alpha, first] = lines as [string, string, string];
    const target = join(folder.path, 'target');
    const agentLine = (agent_id: unknown) => JSON.stringify({ type: 'agent', agent_id, created_at: 1 });
    const cases: [string, string[], string][] = [
      ['escape', [header, agentLine('../../escaped')], 'agent_id "../../escaped" is not a valid agent id'],
      ['absolute', [header, agentLine('/tmp/abs')], 'is not a valid agent id'],
      ['nested', [header, agentLine('a/b')], 'is not a valid agent id'],
      ['empty', [header, agentLine('')], 'is not a valid agent id'],
      ['long', [header, agentLine('a'.repeat(10_000))], 'is not a valid agent id'],
      ['nul', [header, agentLine('a\u0000b')], 'is not a valid agent id'],
      ['number', [header, agentLine(7)], 'is not a valid agent id'],
      ['stray', [...lines, JSON.stringify({ type: 'cron_job', agent_id: 'ghost', job: { id: 'j' } })], 'line 6:'],
      ['repeated', [...lines, first], `line 6: session ${JSON.parse(first).session.sessionId} of agent alpha`],
      ['twice', [...lines, alpha], 'line 6: agent alpha appears twice'],
      ['not an object', [...lines, '[1]'], 'line 6 is not a JSON object'],
      ['null row', [...lines, JSON.stringify({ type: 'run', agent_id: 'alpha', run: null })], 'line 6: its run'],
      ['unknown', [...lines, JSON.stringify({ type: 'secrets', agent_id: 'alpha' })], 'unknown type "secrets"'],
      ['late header', ['', agentLine('alpha'), header], 'not a mini-openclaw-export file'],
    ];
    for (const [name, content, reason] of cases) {
      const file = join(folder.path, `${name.replace(' ', '-')}.jsonl`);
      writeFileSync(file, `${content.join('\n')}\n`);
      const result = await runMain(folder.path, ['import', '--in', file, '--data-dir', target]);
      expect([name, result.code]).toEqual([name, 1]);
      expect(result.stderr).toContain('mini-openclaw import: refused: ');
      expect(result.stderr).toContain(reason);
      expect(existsSync(join(folder.path, 'escaped'))).toBe(false);
      expect(existsSync('/tmp/abs')).toBe(false);
      const workspaces = join(target, 'workspaces');
      expect(existsSync(workspaces) ? readdirSync(workspaces) : []).toEqual([]);
    }
    const imported = await runMain(folder.path, [
      'import',
      '--in',
      join(folder.path, 'good.jsonl'),
      '--data-dir',
      target,
    ]);
    expect([imported.code, imported.stderr]).toEqual([0, '']);
    await using after = await startTestServer({ dataDir: target });
    const sessions = await after.json('GET', '/api/sessions?agent_id=alpha');
    expect(sessions.body.data.map((session: any) => session.title).sort()).toEqual(['One', 'Two']);
  }, 60_000);

  it('refuses bytes that are not UTF-8 instead of storing U+FFFD, and reads a file saved with a BOM and CRLF', async () => {
    using folder = makeTempDir('moc-import-text-');
    const lines = await exportedLines(folder.path);
    const target = join(folder.path, 'target');
    const latin = join(folder.path, 'latin.jsonl');
    const text = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    // "One" as "\xd6ne": a Latin-1 byte, no UTF-8 sequence.
    const at = text.indexOf('"One"') + 1;
    writeFileSync(latin, Buffer.concat([text.subarray(0, at), Buffer.from([0xd6]), text.subarray(at + 1)]));
    const refused = await runMain(folder.path, ['import', '--in', latin, '--data-dir', target]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('mini-openclaw import: refused: the file is not UTF-8 text');
    expect(existsSync(join(target, 'workspaces')) ? readdirSync(join(target, 'workspaces')) : []).toEqual([]);

    const windows = join(folder.path, 'windows.jsonl');
    writeFileSync(windows, `\uFEFF${lines.join('\r\n')}\r\n`);
    const imported = await runMain(folder.path, ['import', '--in', windows, '--data-dir', target]);
    expect([imported.code, imported.stderr]).toEqual([0, '']);
    await using after = await startTestServer({ dataDir: target });
    const sessions = await after.json('GET', '/api/sessions?agent_id=alpha');
    expect(sessions.body.data.map((session: any) => session.title).sort()).toEqual(['One', 'Two']);
  }, 60_000);
});
