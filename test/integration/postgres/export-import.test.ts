// `mini-openclaw export` and `import` as real processes: an install moved from SQLite to PostgreSQL and back, row for row.
import { afterAll, beforeAll, expect, it } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeOpenAiServer } from '../../support/fake-openai-server';
import { describeWithPostgres } from '../../support/postgres-database';
import { runMain } from '../../support/run-main';
import { waitFor } from '../../support/scheduler-fixture';
import { startTestServer, type TestServer } from '../../support/start-test-server';
import { makeTempDir, type TempDir } from '../../support/temp-dir';

/** The rows of an export file, parsed, without its header (which holds the export time). */
const rowsOf = (path: string): unknown[] =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => JSON.parse(line));

/** Everything a client sees of the default agent's sessions, jobs, runs and usage. */
async function snapshot(server: TestServer) {
  const sessions = (await server.json('GET', '/api/sessions?scope=all')).body.data as any[];
  const histories = [];
  for (const session of sessions)
    histories.push((await server.json('GET', `/api/sessions/${session.session_id}/history`)).body.data);
  return {
    sessions,
    histories,
    jobs: (await server.json('GET', '/api/scheduler/cron/jobs')).body.data,
    runs: (await server.json('GET', '/api/scheduler/cron/runs')).body.data,
    usage: (await server.json('GET', '/api/usage/summary?since_hours=24')).body.data,
    turns: (await server.json('GET', '/api/runs?limit=200')).body.data,
    approvals: (await server.json('GET', '/api/approvals')).body.data,
  };
}

describeWithPostgres('mini-openclaw export / import', (database) => {
  let folder: TempDir;
  beforeAll(() => {
    folder = makeTempDir('moc-transfer-');
  });
  afterAll(() => folder?.[Symbol.dispose]());

  it('moves sessions, messages, compressions, usage, jobs, runs and approvals from SQLite to PostgreSQL and back unchanged', async () => {
    const sqliteDir = join(folder.path, 'sqlite');
    await using model = await startFakeOpenAiServer();
    const env = { LLM_BASE_URL: model.baseUrl, LLM_MODEL: 'fake-model', LLM_API_KEY: 'test-key' };
    let before: Awaited<ReturnType<typeof snapshot>>;
    {
      await using server = await startTestServer({ dataDir: sqliteDir, env });
      const kept = (await server.json('POST', '/api/sessions')).body.data.session_id;
      for (const message of ['one', 'two', 'three']) {
        const turn = await server.json('POST', '/api/chat', { message, session_id: kept, stream: false });
        expect(turn.status).toBe(200);
      }
      expect((await server.json('POST', `/api/sessions/${kept}/compress`)).status).toBe(200);
      await server.json('POST', '/api/chat', { message: 'four', session_id: kept, stream: false });
      const old = (await server.json('POST', '/api/sessions')).body.data.session_id;
      await server.json('POST', '/api/chat', { message: 'archived talk', session_id: old, stream: false });
      await server.json('PUT', `/api/sessions/${old}`, { title: 'Old talk' });
      await server.json('POST', `/api/sessions/${old}/archive`);
      const job = (
        await server.json('POST', '/api/scheduler/cron/jobs', {
          schedule_type: 'every',
          schedule: '3600',
          prompt: 'report',
        })
      ).body.data.job;
      expect((await server.json('POST', `/api/scheduler/cron/jobs/${job.id}/run?wait=true`)).body.data.run.status).toBe(
        'ok',
      );
      // A turn whose tool call waited for a decision and was rejected: its run and approval move too.
      expect(
        (await server.json('PUT', '/api/config/runtime', { config: { tool_approvals: { chat: ['read_file'] } } }))
          .status,
      ).toBe(200);
      model.enqueue({ kind: 'tool_calls', calls: [{ name: 'read_file', args: { path: 'workspace/SOUL.md' } }] });
      model.enqueue({ kind: 'text', text: 'Fine, I will not read it.' });
      const guarded = server.json('POST', '/api/chat', { message: 'read your soul', session_id: kept, stream: false });
      const [pending] = await waitFor(async () => {
        const listed = (await server.json('GET', '/api/approvals?status=pending')).body.data.approvals as any[];
        return listed.length > 0 ? listed : undefined;
      });
      const decided = await server.json('POST', `/api/approvals/${pending.approval_id}`, {
        decision: 'reject',
        reason: 'not now',
      });
      expect(decided.status).toBe(200);
      expect((await guarded).status).toBe(200);
      before = await snapshot(server);
    }
    expect(before.sessions.length).toBeGreaterThanOrEqual(2);
    expect(before.turns.runs.map((run: any) => run.status)).toContain('completed');
    expect(before.approvals.approvals.map((approval: any) => [approval.status, approval.reason])).toEqual([
      ['rejected', 'not now'],
    ]);

    const sqliteExport = join(folder.path, 'from-sqlite.jsonl');
    const exported = await runMain(folder.path, ['export', '--out', sqliteExport, '--data-dir', sqliteDir]);
    expect([exported.code, exported.stderr]).toEqual([0, '']);
    expect(exported.stdout).toContain('mini-openclaw export: wrote 1 agent, 3 session');

    const url = await database.cluster.createDatabase();
    const imported = await runMain(folder.path, ['import', '--in', sqliteExport, '--database-url', url]);
    expect([imported.code, imported.stderr]).toEqual([0, '']);
    expect(imported.stdout).not.toContain(database.cluster.password);
    const again = await runMain(folder.path, ['import', '--in', sqliteExport], { APP_DATABASE_URL: url });
    expect(again).toEqual({
      code: 1,
      stdout: '',
      stderr: 'mini-openclaw import: refused: agent default already holds rows in the target\n',
    });

    const postgresExport = join(folder.path, 'from-postgres.jsonl');
    expect((await runMain(folder.path, ['export', '--out', postgresExport, '--database-url', url])).code).toBe(0);
    expect(rowsOf(postgresExport)).toEqual(rowsOf(sqliteExport));

    // Served from PostgreSQL over the same folder, a client sees what it saw before.
    {
      await using server = await startTestServer({ dataDir: sqliteDir, env: { ...env, APP_DATABASE_URL: url } });
      expect(await snapshot(server)).toEqual(before);
    }

    // And back into SQLite files of a new folder, row for row.
    const backDir = join(folder.path, 'back');
    expect((await runMain(folder.path, ['import', '--in', postgresExport, '--data-dir', backDir])).code).toBe(0);
    const backExport = join(folder.path, 'back.jsonl');
    expect((await runMain(folder.path, ['export', '--out', backExport, '--data-dir', backDir])).code).toBe(0);
    expect(rowsOf(backExport)).toEqual(rowsOf(sqliteExport));
  }, 120_000);

  it('refuses a file that is not an export, writing nothing', async () => {
    const bogus = join(folder.path, 'bogus.jsonl');
    await Bun.write(bogus, '{"type":"agent","agent_id":"x","created_at":1}\n');
    const outcome = await runMain(folder.path, ['import', '--in', bogus, '--data-dir', join(folder.path, 'none')]);
    expect(outcome).toEqual({
      code: 1,
      stdout: '',
      stderr: 'mini-openclaw import: refused: not a mini-openclaw-export file of version 1\n',
    });
  }, 30_000);
});
