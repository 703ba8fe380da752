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

  /**
   * Jobs 'settling' and 'stopped', each with a running run, and a transaction that holds the 'settling' job's lock the
   * way settleRun does until `release()`, then sets its run to 'ok'; `settled` is that transaction.
   */
  async function settlingWhileStopped() {
    const agentId = database.freshAgentId();
    const store = createPostgresSchedulerStore(database.sql, agentId);
    for (const id of ['settling', 'stopped']) {
      await store.insertJob(contractJob(id));
      await store.addRuns([contractRun(`${id}-run`, id)], id, null);
    }
    let jobLocked!: () => void;
    const locked = new Promise<void>((resolve) => (jobLocked = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const settled = database.sql.begin(async (tx) => {
      await tx`SELECT id FROM cron_jobs WHERE agent_id = ${agentId} AND id = 'settling' FOR UPDATE`;
      jobLocked();
      await released;
      await tx`UPDATE cron_runs SET status = 'ok' WHERE agent_id = ${agentId} AND id = 'settling-run'`;
    });
    await locked;
    return { store, release, settled };
  }

  /** Resolves once some session of this database waits for a lock, or with 'over' once `over()` says to stop looking. */
  function lockWait(over: () => boolean): Promise<string> {
    return waitFor(async () => {
      if (over()) return 'over';
      const [row] = await database.sql`SELECT count(*)::integer AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`;
      return row.n > 0 ? 'blocked on a lock' : undefined;
    }, 10_000);
  }

  // Recovery on one replica while a run settles on another (settleRun locks the job, then updates its run): with every
  // running row locked first, the two deadlocked ("deadlock detected", one cron run failed in about 2 % of runs of
  // the two-replica test). Now recovery takes each job before its run, waits for the settling run, and skips it.
  it('recovers stopped runs while another run settles: it waits for that run instead of deadlocking with it', async () => {
    const { store, release, settled } = await settlingWhileStopped();
    const recovery = store.interruptRunning(() => ({ run: { status: 'interrupted' }, job: null }));
    // The recovery is blocked on a lock (the settling job) before the settle goes on to its run.
    expect(await lockWait(() => false)).toBe('blocked on a lock');
    release();
    await settled;
    expect(await recovery).toBe(1);
    expect((await store.getRun('settling-run'))!.status).toBe('ok');
    expect((await store.getRun('stopped-run'))!.status).toBe('interrupted');
  });

  // Recovery on a replica that is running (its poll) knows which jobs' claims it could take: the others' runs are
  // alive, and it neither reads nor locks them, so it does not wait behind one settling.
  it('recovers the runs of the jobs it was given without waiting for a job another run holds', async () => {
    const { store, release, settled } = await settlingWhileStopped();
    let over = false;
    const blocked = lockWait(() => over);
    const recovery = store.interruptRunning(
      () => ({ run: { status: 'interrupted' }, job: null }),
      new Set(['stopped']),
    );
    // Were recovery to wait for the held lock, the lock wait would be seen first (and the settle released after).
    const first = await Promise.race([recovery, blocked]);
    over = true;
    await blocked;
    release();
    await settled;
    expect(first).toBe(1);
    expect((await store.getRun('settling-run'))!.status).toBe('ok');
    expect((await store.getRun('stopped-run'))!.status).toBe('interrupted');
  });
});
