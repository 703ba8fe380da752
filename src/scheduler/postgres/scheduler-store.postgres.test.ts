// The PostgreSQL scheduler and heartbeat stores against the ports' contracts, on a throwaway cluster (one agent id per test).
import { expect, it } from 'bun:test';
import { describeWithPostgres } from '../../../test/support/postgres-database';
import { waitFor } from '../../../test/support/scheduler-fixture';
import { describeHeartbeatStoreContract } from '../heartbeat-store.contract';
import { contractJob, contractRun, describeSchedulerStoreContract } from '../scheduler-store.contract';
import { createPostgresHeartbeatStore } from './heartbeat-store.postgres';
import { createPostgresSchedulerStore } from './scheduler-store.postgres';

describeWithPostgres('postgres scheduler stores', (database) => {
  describeSchedulerStoreContract('postgres', () => ({
    store: createPostgresSchedulerStore(database.sql, database.freshAgentId()),
    close: () => undefined,
  }));
  describeHeartbeatStoreContract('postgres', () => ({
    store: createPostgresHeartbeatStore(database.sql, database.freshAgentId()),
    close: () => undefined,
  }));

  // Recovery on one replica while a run settles on another (settleRun locks the job, then updates its run): with every
  // running row locked first, the two deadlocked ("deadlock detected", one cron run failed in about 2 % of runs of
  // the two-replica test). Now recovery takes each job before its run, waits for the settling run, and skips it.
  it('recovers stopped runs while another run settles: it waits for that run instead of deadlocking with it', async () => {
    const sql = database.sql;
    const agentId = database.freshAgentId();
    const store = createPostgresSchedulerStore(sql, agentId);
    for (const id of ['settling', 'stopped']) {
      await store.insertJob(contractJob(id));
      await store.addRuns([contractRun(`${id}-run`, id)], id, null);
    }
    let jobLocked!: () => void;
    const locked = new Promise<void>((resolve) => (jobLocked = resolve));
    let recoveryWaits!: () => void;
    const waiting = new Promise<void>((resolve) => (recoveryWaits = resolve));
    const settle = sql.begin(async (tx) => {
      await tx`SELECT id FROM cron_jobs WHERE agent_id = ${agentId} AND id = 'settling' FOR UPDATE`;
      jobLocked();
      await waiting;
      await tx`UPDATE cron_runs SET status = 'ok' WHERE agent_id = ${agentId} AND id = 'settling-run'`;
    });
    await locked;
    const recovery = store.interruptRunning(() => ({ run: { status: 'interrupted' }, job: null }));
    // The recovery is blocked on a lock (the settling job) before the settle goes on to its run.
    await waitFor(async () => {
      const [row] = await sql`SELECT count(*)::integer AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`;
      return row.n > 0 ? true : undefined;
    }, 10_000);
    recoveryWaits();
    await settle;
    expect(await recovery).toBe(1);
    expect((await store.getRun('settling-run'))!.status).toBe('ok');
    expect((await store.getRun('stopped-run'))!.status).toBe('interrupted');
  });
});
