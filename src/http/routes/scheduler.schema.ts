// Wire shapes of the scheduler routes: `limit`, job bodies, and CronJob / run rows as the contract names them.
import { t, type Static } from 'elysia';
import {
  cronSessionId,
  MAX_RUNS_LIMIT,
  type CronJob,
  type CronJobPatch,
  type CronRun,
  type HeartbeatRun,
} from '../../scheduler';
import { AgentIdQuery, ok, QueryBoolean } from '../schemas';

// A string checked here: Elysia's numeric coercion reports range errors without the parameter's name.
export const LimitQuery = t.Optional(
  t.String({
    description: `Rows to return, 1..${MAX_RUNS_LIMIT}; default the agent's scheduler.runs_query_default_limit`,
  }),
);

/** The `limit` query as a number for the service: NaN when it is not a whole number (the service answers 422 for it). */
export function parseLimit(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  return /^\d{1,6}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
}

const ScheduleType = t.Union([t.Literal('at'), t.Literal('every'), t.Literal('cron')], {
  description: '`at` (ISO-8601 date-time), `every` (whole seconds ≥ 5, anchored at creation) or `cron` (5 or 6 fields)',
});
const CatchUp = t.Union([t.Literal('skip'), t.Literal('run_once')], {
  description:
    'Slots missed while the server was down: `skip` (default) records them as missed; `run_once` also runs once at start',
});
const Timezone = t.Union([t.String({ maxLength: 64 }), t.Null()], {
  description: 'IANA zone for this job; null or blank uses cron.timezone',
});
export const JobParams = t.Object({ job_id: t.String({ minLength: 1, maxLength: 64 }) });

export const NewJobBody = t.Object({
  name: t.Optional(t.String({ maxLength: 120 })),
  schedule_type: ScheduleType,
  schedule: t.String({ minLength: 1, maxLength: 120 }),
  prompt: t.String({ minLength: 1, maxLength: 8000 }),
  enabled: t.Optional(t.Boolean()),
  timezone: t.Optional(Timezone),
  catch_up: t.Optional(CatchUp),
});

export const JobPatchBody = t.Optional(
  t.Object({
    name: t.Optional(t.String({ maxLength: 120 })),
    schedule_type: t.Optional(ScheduleType),
    schedule: t.Optional(t.String({ maxLength: 120 })),
    prompt: t.Optional(t.String({ maxLength: 8000 })),
    enabled: t.Optional(t.Boolean()),
    timezone: t.Optional(Timezone),
    catch_up: t.Optional(CatchUp),
  }),
);

type JobBody = Partial<Static<typeof NewJobBody>>;

/** A job body as the domain's camelCase input (absent fields stay absent). */
export function toJobInput(body: JobBody): CronJobPatch {
  const input: CronJobPatch = {};
  if (body.name !== undefined) input.name = body.name;
  if (body.schedule_type !== undefined) input.scheduleType = body.schedule_type;
  if (body.schedule !== undefined) input.schedule = body.schedule;
  if (body.prompt !== undefined) input.prompt = body.prompt;
  if (body.enabled !== undefined) input.enabled = body.enabled;
  if (body.timezone !== undefined) input.timezone = body.timezone;
  if (body.catch_up !== undefined) input.catchUp = body.catch_up;
  return input;
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
  status: t.String({
    description:
      'running, waiting_approval (its turn waits for a tool approval; then running again until it ends), ok, error, interrupted, missed, skipped_budget, cancelled',
  }),
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
  status: t.String({
    description:
      'ok, error, skipped_outside_window, skipped_no_prompt, skipped_disabled, skipped_busy, skipped_budget, cancelled, waiting_approval (the tick waits for a tool approval; its final row replaces this one), interrupted (the server stopped while it waited)',
  }),
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

export const HeartbeatConfigWire = t.Object({
  enabled: t.Boolean(),
  interval_seconds: t.Integer(),
  timezone: t.String(),
  active_start_hour: t.Integer(),
  active_end_hour: t.Integer(),
  session_id: t.String(),
});

export const HeartbeatBody = t.Object({
  enabled: t.Optional(t.Boolean()),
  interval_seconds: t.Optional(t.Integer({ minimum: 30, maximum: 86_400 })),
  timezone: t.Optional(t.String({ maxLength: 64, description: 'IANA zone; blank keeps the current one' })),
  active_start_hour: t.Optional(t.Integer({ minimum: 0, maximum: 23 })),
  active_end_hour: t.Optional(t.Integer({ minimum: 0, maximum: 23 })),
  session_id: t.Optional(t.String({ maxLength: 128, description: 'Blank keeps the current one' })),
});

export const RunsQuery = t.Object({ agent_id: AgentIdQuery, limit: LimitQuery });
export const RunNowQuery = t.Object({ agent_id: AgentIdQuery, wait: QueryBoolean });
export const JobList = ok(t.Object({ agent_id: t.String(), jobs: t.Array(CronJobWire) }));
export const JobAnswer = ok(t.Object({ agent_id: t.String(), job: CronJobWire }));
export const JobDeleted = ok(t.Object({ agent_id: t.String(), deleted: t.Boolean(), job_id: t.String() }));
export const RunNowAnswer = ok(
  t.Object({
    agent_id: t.String(),
    job: CronJobWire,
    run: t.Union([CronRunWire, t.Object({ id: t.String(), status: t.String() })]),
  }),
);
export const RunList = ok(t.Object({ agent_id: t.String(), runs: t.Array(CronRunWire) }));
export const FailureList = ok(t.Object({ agent_id: t.String(), failures: t.Array(CronRunWire) }));
export const HeartbeatAnswer = ok(t.Object({ agent_id: t.String(), config: HeartbeatConfigWire }));
export const HeartbeatRunList = ok(t.Object({ agent_id: t.String(), runs: t.Array(HeartbeatRunWire) }));
export const HeartbeatRunAnswer = ok(t.Object({ agent_id: t.String(), run: HeartbeatRunWire }));
