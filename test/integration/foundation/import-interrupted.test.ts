// `mini-openclaw import` into SQLite files as a real process that fails or is killed halfway: the agent is left as
// it was, and the same import run again is not refused for rows the first one half wrote.
import { describe, expect, it } from 'bun:test';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv } from '../../support/compiled-binary';
import { runMain } from '../../support/run-main';
import { waitFor } from '../../support/scheduler-fixture';
import { startTestServer } from '../../support/start-test-server';
import { makeTempDir } from '../../support/temp-dir';

const MAIN = join(import.meta.dir, '..', '..', '..', 'src', 'main.ts');
const header = JSON.stringify({ type: 'header', format: 'mini-openclaw-export', version: 1, exported_at_ms: 1 });
const agent = JSON.stringify({ type: 'agent', agent_id: 'alpha', created_at: 1_700_000_000 });

/** A session line of agent alpha: `count` messages of `size` characters each. */
function sessionLine(index: number, count: number, size: number, message?: unknown): string {
  const at = 1_700_000_000 + index;
  const messages = Array.from({ length: count }, (_, turn) => ({
    role: turn % 2 ? 'assistant' : 'user',
    content: `${index}:${turn} ${'x'.repeat(size)}`,
    createdAt: at,
  }));
  const session = { sessionId: `s-${index}`, title: `S${index}`, createdAt: at, updatedAt: at, archivedAt: null };
  return JSON.stringify({
    type: 'session',
    agent_id: 'alpha',
    session: { ...session, compressedContext: '' },
    messages: message ? [...messages, message] : messages,
    archives: [],
  });
}

async function titles(dataDir: string): Promise<number> {
  await using server = await startTestServer({ dataDir });
  const sessions = await server.json('GET', '/api/sessions?agent_id=alpha&scope=all');
  return sessions.body.data.length;
}

describe('mini-openclaw import', () => {
  it('a row the target refuses halfway: exit 1, no row of the agent kept, the good file imports after', async () => {
    using folder = makeTempDir('moc-import-fail-');
    const target = join(folder.path, 'target');
    const sessions = Array.from({ length: 5 }, (_, index) => sessionLine(index, 2, 10));
    const bad = join(folder.path, 'bad.jsonl');
    // The first pass reads the shapes; a message without content is refused by the database only.
    writeFileSync(
      bad,
      `${[header, agent, ...sessions, sessionLine(9, 1, 1, { role: 'user', createdAt: 1 })].join('\n')}\n`,
    );
    const failed = await runMain(folder.path, ['import', '--in', bad, '--data-dir', target]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('mini-openclaw import: failed: ');
    const good = join(folder.path, 'good.jsonl');
    writeFileSync(good, `${[header, agent, ...sessions].join('\n')}\n`);
    const retried = await runMain(folder.path, ['import', '--in', good, '--data-dir', target]);
    expect([retried.code, retried.stderr]).toEqual([0, '']);
    expect(await titles(target)).toBe(5);
  }, 30_000);

  it('killed halfway (SIGKILL): the same import run again stores every row', async () => {
    using folder = makeTempDir('moc-import-kill-');
    const target = join(folder.path, 'target');
    const file = join(folder.path, 'big.jsonl');
    const count = 3_000;
    const lines = [header, agent, ...Array.from({ length: count }, (_, index) => sessionLine(index, 10, 2_000))];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const child = Bun.spawn([process.execPath, MAIN, 'import', '--in', file, '--data-dir', target], {
      cwd: folder.path,
      env: cleanEnv(),
      stdout: 'pipe',
      stderr: 'pipe',
    });
    // Halfway: the agent's database and its log have taken several MB of the 60 MB of messages.
    const database = join(target, 'workspaces', 'alpha', 'storage', 'agent.db');
    const size = (path: string) => (existsSync(path) ? statSync(path).size : 0);
    await waitFor(() => (size(database) + size(`${database}-wal`) > 8_000_000 ? true : undefined), 20_000);
    child.kill('SIGKILL');
    expect(await child.exited).not.toBe(0);
    const retried = await runMain(folder.path, ['import', '--in', file, '--data-dir', target]);
    expect([retried.code, retried.stderr]).toEqual([0, '']);
    expect(await titles(target)).toBe(count);
  }, 60_000);
});
