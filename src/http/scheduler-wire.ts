// Wire shapes of the scheduler routes: the gate, `limit`, and CronJob / run rows as the contract names them.
import { t } from 'elysia';
import type { AgentDirectory, AgentHandle } from '../agents';
import type { HeartbeatRun } from '../scheduler/heartbeat.store';
import { cronSessionId } from '../scheduler/scheduled-turn';
import type { CronJob, CronRun } from '../scheduler/scheduler.store';
import { AppError, validationError } from '../shared/app-error';

export const MAX_RUNS_LIMIT = 5000;

// A string checked here: Elysia's numeric coercion reports range errors without the parameter's name.
export const LimitQuery = t.Optional(
  t.String({ description: `Rows to return, 1..${MAX_RUNS_LIMIT}; default the agent's scheduler.runs_query_default_limit` }),
);

/** The agent, once its `scheduler.api_enabled` allows the scheduler API (else 403 `scheduler_api_disabled`). */
export function schedulerAgent(agents: AgentDirectory, agentId: string | undefined): AgentHandle<unknown> {
  const agent = agents.get(agentId);
  if (!agent.config().scheduler.api_enabled) throw new AppError('scheduler_api_disabled', 'Scheduler API is disabled');
  return agent;
}

/** The `limit` query as a number: the agent's default when absent, 422 naming `query.limit` when not 1..5000. */
export function runsLimit(agent: AgentHandle<unknown>, raw: string | undefined): number {
  if (raw === undefined) return Math.min(agent.config().scheduler.runs_query_default_limit, MAX_RUNS_LIMIT);
  const limit = /^\d{1,6}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_RUNS_LIMIT)) {
    const code = Number.isNaN(limit) ? 'int_parsing' : limit < 1 ? 'greater_than_equal' : 'less_than_equal';
    throw validationError('query.limit', `Input should be a whole number from 1 to ${MAX_RUNS_LIMIT}`, code);
  }
  return limit;
}

const seconds = (ms: number | null) => (ms === null ? 0 : ms / 1000);

export const CronJobWire = t.Object({
  id: t.String(),
  name: t.String(),
  schedule_type: t.String(),
  schedule: t.String(),
  prompt: t.String(),
  enabled: t.Boolean(),
  next_run_ts: t.Number({ description: 'Epoch seconds; 0 when none' }),
  created_at: t.Number(),
  updated_at: t.Number(),
  last_run_ts: t.Number(),
  last_success_ts: t.Number(),
  failure_count: t.Integer(),
  last_error: t.String(),
  timezone: t.Union([t.String(), t.Null()], { description: "IANA zone; null uses the agent's cron.timezone" }),
  catch_up: t.String({ description: '`skip` or `run_once`' }),
  session_id: t.String(),
});

export function toJobWire(job: CronJob) {
  return {
    id: job.id,
    name: job.name,
    schedule_type: job.scheduleType,
    schedule: job.schedule,
    prompt: job.prompt,
    enabled: job.enabled,
    next_run_ts: seconds(job.nextRunMs),
    created_at: job.createdMs / 1000,
    updated_at: job.updatedMs / 1000,
    last_run_ts: seconds(job.lastRunMs),
    last_success_ts: seconds(job.lastSuccessMs),
    failure_count: job.failureCount,
    last_error: job.lastError,
    timezone: job.timezone,
    catch_up: job.catchUp,
    session_id: cronSessionId(job.id),
  };
}

const optionalNumber = t.Optional(t.Number());
export const CronRunWire = t.Object({
  id: t.String(),
  timestamp_ms: t.Integer(),
  job_id: t.String(),
  name: t.String(),
  status: t.String({ description: 'running, ok, error, interrupted, missed (skipped_budget reserved)' }),
  trigger: t.String({ description: '`scheduled` or `manual`' }),
  details: t.Record(t.String(), t.Any()),
  scheduled_ms: optionalNumber,
  started_ms: optionalNumber,
  finished_ms: optionalNumber,
  schedule_lag_ms: optionalNumber,
  duration_ms: optionalNumber,
  run_id: t.Optional(t.String()),
  session_id: t.Optional(t.String()),
  response_preview: t.Optional(t.String()),
  error: t.Optional(t.String()),
  failure_count: optionalNumber,
  next_run_ts: optionalNumber,
  disabled: t.Optional(t.Boolean()),
});

export function toRunWire(run: CronRun) {
  const present = <T>(key: string, value: T | null) => (value === null ? {} : { [key]: value });
  return {
    id: run.id,
    timestamp_ms: run.timestampMs,
    job_id: run.jobId,
    name: run.name,
    status: run.status,
    trigger: run.trigger,
    details: run.details,
    ...present('scheduled_ms', run.scheduledMs),
    ...present('started_ms', run.startedMs),
    ...present('finished_ms', run.finishedMs),
    ...present('schedule_lag_ms', run.scheduleLagMs),
    ...present('duration_ms', run.durationMs),
    ...present('run_id', run.runId),
    ...present('session_id', run.sessionId),
    ...present('response_preview', run.responsePreview),
    ...present('error', run.error),
    ...present('failure_count', run.failureCount),
    ...(run.status === 'error' ? { next_run_ts: seconds(run.nextRunMs) } : {}),
    ...present('disabled', run.disabled),
  };
}

export const HeartbeatRunWire = t.Object({
  timestamp_ms: t.Integer(),
  status: t.String({ description: 'ok, error, skipped_outside_window, skipped_no_prompt, skipped_disabled, skipped_busy' }),
  timezone: t.String(),
  details: t.Record(t.String(), t.Any()),
  trigger: t.String({ description: '`scheduled` or `manual`' }),
  schedule_lag_ms: optionalNumber,
  duration_ms: optionalNumber,
  run_id: t.Optional(t.String()),
});

export function toHeartbeatRunWire(run: HeartbeatRun) {
  return {
    timestamp_ms: run.timestampMs,
    status: run.status,
    timezone: run.timezone,
    details: run.details,
    trigger: run.trigger,
    ...(run.scheduleLagMs === null ? {} : { schedule_lag_ms: run.scheduleLagMs }),
    ...(run.durationMs === null ? {} : { duration_ms: run.durationMs }),
    ...(run.runId === null ? {} : { run_id: run.runId }),
  };
}
