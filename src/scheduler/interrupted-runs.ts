// Repair of cron runs whose process stopped or died: `running` rows nobody holds become `interrupted`, caught up per policy.
import type { Lock } from '../coordination';
import type { CronJob, CronRun, SchedulerStore } from './scheduler.port';

/** Takes a job's run claim (the cron job lock), or null while a live run holds it. */
export type ClaimJob = (jobId: string) => Promise<Lock | null>;

/** Running rows looked at in one pass (more than any agent runs at once). */
const RUNNING_SCAN_LIMIT = 1000;

/** How a cut-off run's job changes: a one-shot runs again at once; `run_once` reruns the slot once; `skip` waits. */
function catchUp(run: CronRun, job: CronJob | null, nowMs: number): Partial<CronJob> | null {
  if (!job?.enabled || run.trigger !== 'scheduled') return null;
  if (job.scheduleType === 'at') return job.nextRunMs === null ? { nextRunMs: nowMs } : null;
  if (job.catchUp === 'run_once' && (job.nextRunMs === null || job.nextRunMs > nowMs)) return { nextRunMs: nowMs };
  return null;
}

/**
 * How an in-progress row and its job change once the process running it has stopped (at its stop, or found so by a
 * later sweep): the row `interrupted` (ran, but the outcome is unknown) at `nowMs`; the job caught up per `catchUp`.
 */
export function interruption(
  run: CronRun,
  job: CronJob | null,
  nowMs: number,
): { run: Partial<CronRun>; job: Partial<CronJob> | null } {
  // A turn paused for an approval was checkpointed: it goes on in its session (GET /api/runs/{run_id}), so
  // the slot is not run again.
  const waited = run.status === 'waiting_approval';
  return {
    run: {
      status: 'interrupted',
      timestampMs: nowMs,
      error: waited
        ? 'The server stopped while the run waited for an approval; its turn goes on in its session once decided'
        : 'The server stopped before the run finished',
      details: { ...run.details, interrupted_at_ms: nowMs, ...(waited ? { waited_for_approval: true } : {}) },
    },
    job: waited ? null : catchUp(run, job, nowMs),
  };
}

/**
 * The server stops: rows `rows` (row id -> job id) this process runs and that are still in progress end as
 * `interruption` says; rows that ended meanwhile keep their end, other rows are not read. Returns how many changed.
 */
export function interruptOwnRuns(
  store: SchedulerStore,
  rows: ReadonlyMap<string, string>,
  nowMs: number,
): Promise<number> {
  if (rows.size === 0) return Promise.resolve(0);
  return store.interruptRunning(
    (run, job) => (rows.has(run.id) ? interruption(run, job, nowMs) : null),
    new Set(rows.values()),
  );
}

/**
 * Marks `running` (and `waiting_approval`) rows `interrupted` (ran, but the outcome is unknown). With `claim`, only rows whose job
 * claim can be taken change: a run alive here or on another replica holds its claim (renewed as a lease),
 * so only a stopped process's runs are free. Without it every running row changes (start-up of the only
 * process). The job's schedule had already moved on when the run started; `catchUp` decides whether it
 * runs again now. Interruptions do not count as failures. Returns how many rows changed.
 */
export async function recoverInterruptedRuns(store: SchedulerStore, nowMs: number, claim?: ClaimJob): Promise<number> {
  let free: Set<string> | null = null;
  const claims: Lock[] = [];
  if (claim) {
    const running = await store.listRuns(RUNNING_SCAN_LIMIT, ['running', 'waiting_approval']);
    if (running.length === 0) return 0;
    free = new Set();
    for (const jobId of new Set(running.map((run) => run.jobId))) {
      const held = await claim(jobId);
      if (held) {
        claims.push(held);
        free.add(jobId);
      }
    }
    if (free.size === 0) return 0;
  }
  try {
    // The store reads only the free jobs' rows; a run of any other job is alive elsewhere and stays as it is.
    return await store.interruptRunning(
      (run, job) => (free && !free.has(run.jobId) ? null : interruption(run, job, nowMs)),
      free ?? undefined,
    );
  } finally {
    for (const held of claims) await held.release();
  }
}
