// Repair of running rows: only those whose claim is free change, and a scheduled slot cut off follows the job's catch-up policy.
import { describe, expect, it } from 'bun:test';
import { createMemoryCoordinator } from '../coordination/memory/memory-coordinator';
import { AGENT_DB_MIGRATIONS } from '../db/agent-db.schema';
import { openDatabase } from '../db/open-database';
import { newJob } from './cron-job-editor';
import { recoverInterruptedRuns } from './interrupted-runs';
import { runRow } from './run-row';
import type { CatchUpPolicy, CronRun } from './scheduler.port';
import { createSqliteSchedulerStore } from './sqlite/scheduler-store.sqlite';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const HOUR = 3_600_000;

async function withRunningJobs(policies: Record<string, CatchUpPolicy>, trigger: CronRun['trigger'] = 'scheduled') {
  const db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
  const store = createSqliteSchedulerStore(db);
  for (const [id, catchUp] of Object.entries(policies)) {
    // The run moved the job on to its next slot, an hour later, when it started.
    const job = newJob({ name: id, scheduleType: 'every', schedule: '3600', prompt: 'p' }, id, 'UTC', T0 - HOUR);
    await store.insertJob({ ...job, catchUp, nextRunMs: T0 + HOUR });
    const run = runRow({
      id: `run-${id}`,
      jobId: id,
      name: id,
      status: 'running',
      trigger,
      timestampMs: T0,
      scheduledMs: T0,
    });
    await store.addRuns([run], id, null);
  }
  return { db, store };
}

describe('recoverInterruptedRuns', () => {
  it('runs a cut-off scheduled slot again now with run_once, and waits for the next slot with skip', async () => {
    const { store } = await withRunningJobs({ again: 'run_once', wait: 'skip' });
    const now = T0 + 60_000;
    expect(await recoverInterruptedRuns(store, now)).toBe(2);
    expect((await store.getJob('again'))!.nextRunMs).toBe(now);
    expect((await store.getJob('wait'))!.nextRunMs).toBe(T0 + HOUR);
    expect((await store.listRuns(10)).map((run) => run.status)).toEqual(['interrupted', 'interrupted']);
  });

  it('does not rerun a manual run that was cut off', async () => {
    const { store } = await withRunningJobs({ manual: 'run_once' }, 'manual');
    expect(await recoverInterruptedRuns(store, T0 + 60_000)).toBe(1);
    expect((await store.getJob('manual'))!.nextRunMs).toBe(T0 + HOUR);
  });

  it('leaves the runs whose claim another holder has (alive elsewhere), and releases the claims it took', async () => {
    const { store } = await withRunningJobs({ alive: 'run_once', dead: 'run_once' });
    const coordinator = createMemoryCoordinator({ nowMs: () => T0 });
    const held = (await coordinator.tryLock('job alive'))!;
    const claim = (jobId: string) => coordinator.tryLock(`job ${jobId}`);
    expect(await recoverInterruptedRuns(store, T0 + 60_000, claim)).toBe(1);
    expect((await store.getRun('run-alive'))!.status).toBe('running');
    expect((await store.getRun('run-dead'))!.status).toBe('interrupted');
    expect(await coordinator.isLocked('job dead')).toBe(false);
    await held.release();
    expect(await recoverInterruptedRuns(store, T0 + 120_000, claim)).toBe(1);
    expect(await recoverInterruptedRuns(store, T0 + 120_000, claim)).toBe(0);
  });
});
