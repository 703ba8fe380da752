// Stopping the real server (SIGTERM) under a cron run and a heartbeat tick: their scheduler rows say `interrupted`
// before the process exits, as the next start's sweep would have written them, not `running` nor a failure.
import { Database } from 'bun:sqlite';
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { waitUntil } from '../../support/process-probe';
import { waitFor } from '../../support/scheduler-fixture';
import { type ServerProcess, startServerProcess } from '../../support/server-process';
import { makeTempDir } from '../../support/temp-dir';

/** The agent database as the process left it, before any start could sweep it. */
function readAgentDb<T>(dataDir: string, read: (db: Database) => T): T {
  const db = new Database(join(dataDir, 'workspaces', 'default', 'storage', 'agent.db'), { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** The model streams a few words, then stalls for good: the scheduled turn is live until the stop. */
const holdStreaming = (running: ServerProcess) =>
  running.model.enqueue({ kind: 'cut', text: 'Looking into it', after: new Promise(() => undefined) });

describe('stopping by signal under scheduled work (SQLite)', () => {
  it('SIGTERM under a cron run: its row is interrupted in agent.db when the process exits, the job not failed', async () => {
    using temp = makeTempDir('moc-cron-stop-');
    const dataDir = join(temp.path, 'data');
    await using running = await startServerProcess({ dataDir });
    holdStreaming(running);
    // A past one-shot runs at once, as a scheduled run.
    const created = await running.api('POST', '/api/scheduler/cron/jobs', {
      name: 'report',
      schedule_type: 'at',
      schedule: new Date(Date.now() - 1000).toISOString(),
      prompt: 'Write the report',
    });
    expect(created.status).toBe(200);
    expect(await waitUntil(() => running.model.chatRequests().length === 1)).toBe(true);
    expect(await running.server.stop('SIGTERM', 20_000)).toBe(0);
    const { run, job } = readAgentDb(dataDir, (db) => ({
      run: db.query('SELECT status, trigger, error, details, finished_ms FROM cron_runs').all() as any[],
      job: db.query('SELECT failure_count, last_error, enabled, next_run_ms FROM cron_jobs').get() as any,
    }));
    expect(run).toHaveLength(1);
    expect({ ...run[0], details: JSON.parse(run[0].details) }).toEqual({
      status: 'interrupted',
      trigger: 'scheduled',
      error: 'The server stopped before the run finished',
      details: { interrupted_at_ms: expect.any(Number) },
      finished_ms: null,
    });
    // Interruptions are not failures; the one-shot is set to run again, as the start-up sweep sets it.
    expect(job).toEqual({ failure_count: 0, last_error: '', enabled: 1, next_run_ms: expect.any(Number) });

    // The next start runs it again at once, whatever its missed-slot policy (`skip` here), as the sweep did; also
    // after a long stop (the rerun's time set an hour back, past the tolerance for a slot due just before a start).
    const db = new Database(join(dataDir, 'workspaces', 'default', 'storage', 'agent.db'));
    db.run('UPDATE cron_jobs SET next_run_ms = next_run_ms - 3600000');
    db.close();
    await using again = await startServerProcess({ dataDir });
    const statuses = async () =>
      ((await again.api('GET', '/api/scheduler/cron/runs')).body.data.runs as any[]).map((row) => row.status);
    const seen = await waitFor(async () => {
      const now = await statuses();
      return now.includes('ok') || now.includes('missed') ? now : undefined;
    }, 20_000);
    expect(seen.sort()).toEqual(['interrupted', 'ok']);
  }, 60_000);

  it('SIGTERM under a heartbeat tick: the tick is stored interrupted, not as a failure', async () => {
    using temp = makeTempDir('moc-heartbeat-stop-');
    const dataDir = join(temp.path, 'data');
    await using running = await startServerProcess({ dataDir });
    holdStreaming(running);
    await running.api('POST', '/api/files', { path: 'workspace/HEARTBEAT.md', content: '- check the inbox\n' });
    // Enabling ticks at once.
    await running.api('PUT', '/api/scheduler/heartbeat', { enabled: true, active_start_hour: 0, active_end_hour: 0 });
    expect(await waitUntil(() => running.model.chatRequests().length === 1)).toBe(true);
    expect(await running.server.stop('SIGTERM', 20_000)).toBe(0);
    const rows = readAgentDb(
      dataDir,
      (db) => db.query('SELECT status, trigger, session_id, details FROM heartbeat_runs ORDER BY seq').all() as any[],
    );
    expect(rows.map((row) => ({ ...row, details: JSON.parse(row.details) }))).toEqual([
      {
        status: 'interrupted',
        trigger: 'scheduled',
        session_id: '__heartbeat__',
        details: { session_id: '__heartbeat__', reason: 'The server stopped before the tick finished' },
      },
    ]);
  }, 60_000);
});
