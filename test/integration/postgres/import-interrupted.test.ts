// `mini-openclaw import` into PostgreSQL as a real process that fails or is killed halfway: no row of the import
// is kept, and the same import run again is not refused for rows the first one half wrote.
import { expect, it } from 'bun:test';
import { SQL } from 'bun';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv } from '../../support/compiled-binary';
import { describeWithPostgres } from '../../support/postgres-database';
import { runMain } from '../../support/run-main';
import { waitFor } from '../../support/scheduler-fixture';
import { makeTempDir } from '../../support/temp-dir';

const MAIN = join(import.meta.dir, '..', '..', '..', 'src', 'main.ts');
const header = JSON.stringify({ type: 'header', format: 'mini-openclaw-export', version: 1, exported_at_ms: 1 });
const agentLine = (id: string) => JSON.stringify({ type: 'agent', agent_id: id, created_at: 1_700_000_000 });

/** A session line of agent `agentId`: `count` messages of `size` random characters (PostgreSQL compresses repeats) each, then `extra` if given. */
function sessionLine(agentId: string, index: number, count: number, size: number, extra?: unknown): string {
  const at = 1_700_000_000 + index;
  const messages = Array.from({ length: count }, (_, turn) => ({
    role: turn % 2 ? 'assistant' : 'user',
    content: `${index}:${turn} ${randomBytes(size).toString('base64').slice(0, size)}`,
    createdAt: at,
  }));
  const session = { sessionId: `s-${index}`, title: `S${index}`, createdAt: at, updatedAt: at, archivedAt: null };
  return JSON.stringify({
    type: 'session',
    agent_id: agentId,
    session: { ...session, compressedContext: '' },
    messages: extra ? [...messages, extra] : messages,
    archives: [],
  });
}

/** Rows of the agents in `ids` across the agents, sessions and messages tables. */
async function rowsOf(url: string, ids: string[]) {
  await using sql = new SQL({ url, adapter: 'postgres', max: 1 });
  const [row] = await sql`
    SELECT (SELECT count(*) FROM agents WHERE id IN ${sql(ids)})::int AS agents,
           (SELECT count(*) FROM sessions WHERE agent_id IN ${sql(ids)})::int AS sessions,
           (SELECT count(*) FROM messages WHERE agent_id IN ${sql(ids)})::int AS messages`;
  return row as { agents: number; sessions: number; messages: number };
}

describeWithPostgres('mini-openclaw import into PostgreSQL', (database) => {
  it('a row the database refuses halfway: exit 1, no row kept of any agent, the good file imports after', async () => {
    using folder = makeTempDir('moc-pg-import-fail-');
    const url = await database.cluster.createDatabase();
    const good = [header, agentLine('alpha'), agentLine('beta')];
    for (let index = 0; index < 5; index++) good.push(sessionLine('alpha', index, 2, 10));
    for (let index = 0; index < 3; index++) good.push(sessionLine('beta', index, 2, 10));
    const bad = join(folder.path, 'bad.jsonl');
    // The first pass reads the shapes; a message without content is refused by the database only.
    writeFileSync(bad, `${[...good, sessionLine('beta', 9, 1, 1, { role: 'user', createdAt: 1 })].join('\n')}\n`);
    const args = (file: string) => [
      'import',
      '--in',
      file,
      '--data-dir',
      join(folder.path, 'data'),
      '--database-url',
      url,
    ];
    const failed = await runMain(folder.path, args(bad));
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('mini-openclaw import: failed: ');
    expect(await rowsOf(url, ['alpha', 'beta'])).toEqual({ agents: 0, sessions: 0, messages: 0 });
    const file = join(folder.path, 'good.jsonl');
    writeFileSync(file, `${good.join('\n')}\n`);
    const retried = await runMain(folder.path, args(file));
    expect([retried.code, retried.stderr]).toEqual([0, '']);
    expect(await rowsOf(url, ['alpha', 'beta'])).toEqual({ agents: 2, sessions: 8, messages: 16 });
  }, 60_000);

  it('killed halfway (SIGKILL): the same import run again stores every row', async () => {
    using folder = makeTempDir('moc-pg-import-kill-');
    const url = await database.cluster.createDatabase();
    const file = join(folder.path, 'big.jsonl');
    const count = 600;
    const lines = [header, agentLine('alpha')];
    for (let index = 0; index < count; index++) lines.push(sessionLine('alpha', index, 10, 2_000));
    writeFileSync(file, `${lines.join('\n')}\n`);
    const args = ['import', '--in', file, '--data-dir', join(folder.path, 'data'), '--database-url', url];
    const child = Bun.spawn([process.execPath, MAIN, ...args], {
      cwd: folder.path,
      env: cleanEnv(),
      stdout: 'pipe',
      stderr: 'pipe',
    });
    {
      // Halfway: the messages table has taken several MB of the 12 MB of messages (written, committed or not).
      await using sql = new SQL({ url, adapter: 'postgres', max: 1 });
      const stored = async () => {
        const [row] = await sql`SELECT COALESCE(pg_total_relation_size(to_regclass('messages')), 0)::int AS bytes`;
        return (row as { bytes: number }).bytes;
      };
      await waitFor(async () => ((await stored()) > 4_000_000 ? true : undefined), 30_000);
    }
    child.kill('SIGKILL');
    expect(await child.exited).not.toBe(0);
    const retried = await runMain(folder.path, args);
    expect([retried.code, retried.stderr]).toEqual([0, '']);
    expect(await rowsOf(url, ['alpha'])).toEqual({ agents: 1, sessions: count, messages: count * 10 });
  }, 90_000);
});
