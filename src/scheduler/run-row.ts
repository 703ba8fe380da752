// A cron run row with every optional field empty, so writers name only what they know.
import type { CronRun } from './scheduler.port';

export type RunRowFields = Pick<CronRun, 'id' | 'jobId' | 'name' | 'status' | 'trigger' | 'timestampMs'> &
  Partial<CronRun>;

/** The row of `fields`, every field not given null (details `{}`). */
export function runRow(fields: RunRowFields): CronRun {
  return {
    scheduledMs: null,
    startedMs: null,
    finishedMs: null,
    scheduleLagMs: null,
    durationMs: null,
    runId: null,
    sessionId: null,
    responsePreview: null,
    error: null,
    failureCount: null,
    nextRunMs: null,
    disabled: null,
    details: {},
    ...fields,
  };
}
