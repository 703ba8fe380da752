// Start-up repair: cron runs left `running` by a stopped or crashed process become `interrupted`.
import type { SchedulerStore } from './scheduler.port';

/**
 * Marks every `running` row `interrupted` (ran, but its outcome is unknown). The job's schedule had
 * already moved on when the run started; a one-shot `at` job whose only run was cut off is set to
 * run again at once. Interruptions do not count as failures. Returns how many rows changed.
 */
export function recoverInterruptedRuns(store: SchedulerStore, nowMs: number): Promise<number> {
  return store.interruptRunning((run, job) => ({
    run: {
      status: 'interrupted',
      timestampMs: nowMs,
      error: 'The server stopped before the run finished',
      details: { ...run.details, interrupted_at_ms: nowMs },
    },
    job:
      job && job.scheduleType === 'at' && job.enabled && job.nextRunMs === null && run.trigger === 'scheduled'
        ? { nextRunMs: nowMs }
        : null,
  }));
}
