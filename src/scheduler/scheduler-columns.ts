// The table columns of cron jobs and runs, shared by the SQLite and PostgreSQL adapters.
import type { CronJob, CronRun } from './scheduler.port';

/** The column of each CronJob field, as both adapters name it. */
export const JOB_COLUMNS: Record<keyof CronJob, string> = {
  id: 'id',
  name: 'name',
  scheduleType: 'schedule_type',
  schedule: 'schedule',
  timezone: 'timezone',
  prompt: 'prompt',
  enabled: 'enabled',
  catchUp: 'catch_up',
  anchorMs: 'anchor_ms',
  nextRunMs: 'next_run_ms',
  scheduleRev: 'schedule_rev',
  createdMs: 'created_ms',
  updatedMs: 'updated_ms',
  lastRunMs: 'last_run_ms',
  lastSuccessMs: 'last_success_ms',
  failureCount: 'failure_count',
  lastError: 'last_error',
};

/** The column of each CronRun field, as both adapters name it. */
export const RUN_COLUMNS: Record<keyof CronRun, string> = {
  id: 'id',
  jobId: 'job_id',
  name: 'name',
  status: 'status',
  trigger: 'trigger',
  timestampMs: 'timestamp_ms',
  scheduledMs: 'scheduled_ms',
  startedMs: 'started_ms',
  finishedMs: 'finished_ms',
  scheduleLagMs: 'schedule_lag_ms',
  durationMs: 'duration_ms',
  runId: 'run_id',
  sessionId: 'session_id',
  responsePreview: 'response_preview',
  error: 'error',
  failureCount: 'failure_count',
  nextRunMs: 'next_run_ms',
  disabled: 'disabled',
  details: 'details',
};
