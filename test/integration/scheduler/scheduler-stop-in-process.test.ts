// Stopping the server in-process under cron runs: the rows of its own runs end `interrupted` before storage closes
// (SQLite and PostgreSQL), a run that ended just before keeps its end, and another replica's row is not touched.
import { Database } from 'bun:sqlite';
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { createPostgresSchedulerStore } from '../../../src/scheduler/postgres/scheduler-store.postgres';
import { contractJob, contractRun } from '../../../src/scheduler/scheduler-store.contract';
import { type ChatFixture, startChatFixture } from '../../support/chat-fixture';
import { describeWithPostgres } from '../../support/postgres-database';
import { createJob, cronRuns, waitFor } from '../../support/scheduler-fixture';
import { makeTempDir } from '../../support/temp-dir';

/** A job whose turn streams a few words, then stalls for good; resolves once its row is stored `running`. */
async function heldRun(fixture: ChatFixture, name: string) {
  fixture.model.enqueue({ kind: 'cut', text: 'Looking into it', after: new Promise(() => undefined) });
  const job = await createJob(fixture.server, { name, schedule_type: 'every', schedule: '3600' });
  const started = await fixture.server.json('POST', `/api/scheduler/cron/jobs/${job.id}/run`);
  const rowId = started.body.data.run.id as string;
  await waitFor(async () => ((await cronRuns(fixture.server)).find((row) => row.id === rowId) ? true : undefined));
  return { job, rowId };
}

const interruptedRow = {
  status: 'interrupted',
  error: 'The server stopped before the run finished',
  details: { interrupted_at_ms: expect.any(Number) },
};

describe('stopping in-process under cron runs (SQLite)', () => {
  it('stores the run in progress interrupted; a run that ended just before keeps its own end', async () => {
    using temp = makeTempDir('moc-cron-stop-');
    await using fixture = await startChatFixture({ dataDir: temp.path });
    fixture.model.enqueue({ kind: 'text', text: 'All done.' });
    const quick = await createJob(fixture.server, { name: 'quick', schedule_type: 'every', schedule: '3600' });
    const finished = await fixture.server.json('POST', `/api/scheduler/cron/jobs/${quick.id}/run?wait=true`);
    expect(finished.body.data.run).toMatchObject({ status: 'ok' });
    const held = await heldRun(fixture, 'held');
    await fixture.server.stop();
    const db = new Database(join(temp.path, 'workspaces', 'default', 'storage', 'agent.db'), { readonly: true });
    try {
      const rows = db.query('SELECT id, status, error, details FROM cron_runs ORDER BY seq').all() as any[];
      expect(rows.map((row) => ({ ...row, details: JSON.parse(row.details) }))).toEqual([
        { id: finished.body.data.run.id, status: 'ok', error: null, details: {} },
        { id: held.rowId, ...interruptedRow },
      ]);
      expect(db.query('SELECT failure_count FROM cron_jobs WHERE id = ?').get(held.job.id)).toEqual({
        failure_count: 0,
      });
    } finally {
      db.close();
    }
  }, 30_000);
});

describeWithPostgres('stopping in-process under cron runs (PostgreSQL)', (database) => {
  it('stores its own run interrupted in the shared database and leaves another replica’s running row', async () => {
    await using fixture = await startChatFixture({ env: { APP_DATABASE_URL: database.url } });
    // Another replica's run of another job of the same agent, alive as far as this process knows.
    const elsewhere = createPostgresSchedulerStore(database.sql, 'default');
    // Disabled, so that this process has no slot of it to run or count missed.
    await elsewhere.insertJob(contractJob('other-job', Date.now(), { enabled: false, nextRunMs: null }));
    await elsewhere.addRuns([contractRun('other-run', 'other-job')], 'other-job', null);
    const held = await heldRun(fixture, 'held');
    await fixture.server.stop();
    const rows = await database.sql`SELECT id, status, error, details FROM cron_runs
      WHERE agent_id = 'default' ORDER BY seq`;
    expect([...rows].map((row: any) => ({ ...row, details: JSON.parse(row.details) }))).toEqual([
      { id: 'other-run', status: 'running', error: null, details: {} },
      { id: held.rowId, ...interruptedRow },
    ]);
  }, 60_000);
});
