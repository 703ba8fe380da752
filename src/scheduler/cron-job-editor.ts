// Creating and editing cron jobs: trimming, validation (422 naming the field), and the first run time.
import { notFound, validationError } from '../shared/app-error';
import { checkTimeZone, firstRun, nextRunAfter, parseSchedule, type Schedule, type ScheduleType } from './schedules';
import type { CatchUpPolicy, CronJob } from './scheduler.port';

export const DEFAULT_JOB_NAME = 'cron-job';

/** A new job as a caller asks for it (the API's `schedule_type` and `catch_up` in camelCase). */
export interface CronJobInput {
  name?: string;
  scheduleType: ScheduleType;
  schedule: string;
  prompt: string;
  enabled?: boolean;
  /** Null or blank: the agent's `cron.timezone`. */
  timezone?: string | null;
  catchUp?: CatchUpPolicy;
}

export type CronJobPatch = Partial<CronJobInput>;

/** The zone a job's schedule is read in: its own, else the agent's `cron.timezone`. */
export function jobZone(job: Pick<CronJob, 'timezone'>, defaultZone: string): string {
  return job.timezone ?? defaultZone;
}

/** The parsed schedule of a stored job. Throws when the stored text no longer parses (edited by hand). */
export function jobSchedule(job: CronJob, defaultZone: string): Schedule {
  return parseSchedule(job.scheduleType, job.schedule, jobZone(job, defaultZone));
}

function cleanZone(value: string | null | undefined): string | null {
  const zone = (value ?? '').trim();
  return zone ? checkTimeZone(zone) : null;
}

function cleanPrompt(value: string): string {
  const prompt = value.trim();
  if (!prompt) throw validationError('prompt', 'Prompt must not be blank');
  return prompt;
}

/** A new job from API input, validated; its first run computed from `nowMs` when enabled. */
export function newJob(input: CronJobInput, id: string, defaultZone: string, nowMs: number): CronJob {
  const timezone = cleanZone(input.timezone);
  const schedule = input.schedule.trim();
  const parsed = parseSchedule(input.scheduleType, schedule, timezone ?? defaultZone);
  const enabled = input.enabled ?? true;
  return {
    id,
    name: (input.name ?? '').trim() || DEFAULT_JOB_NAME,
    scheduleType: input.scheduleType,
    schedule,
    timezone,
    prompt: cleanPrompt(input.prompt),
    enabled,
    catchUp: input.catchUp ?? 'skip',
    anchorMs: nowMs,
    nextRunMs: enabled ? firstRun(parsed, nowMs) : null,
    scheduleRev: 0,
    createdMs: nowMs,
    updatedMs: nowMs,
    lastRunMs: null,
    lastSuccessMs: null,
    failureCount: 0,
    lastError: '',
  };
}

/**
 * The fields to change for `patch`. Blank name or prompt keep the old value; a changed type, schedule
 * or zone is re-validated, re-anchored at `nowMs` and gets a new next run; disabling clears the next
 * run; enabling computes it and clears the failure streak; a repeating job left enabled without a next run gets one.
 */
export function jobChanges(
  job: CronJob | null,
  patch: CronJobPatch,
  defaultZone: string,
  nowMs: number,
): Partial<CronJob> {
  if (!job) throw notFound('Cron job not found');
  const changes: Partial<CronJob> = { updatedMs: nowMs };
  if (patch.name?.trim()) changes.name = patch.name.trim();
  if (patch.prompt?.trim()) changes.prompt = patch.prompt.trim();
  if (patch.catchUp !== undefined) changes.catchUp = patch.catchUp;
  if (patch.schedule !== undefined && !patch.schedule.trim())
    throw validationError('schedule', 'Schedule must not be blank');
  const scheduleType = patch.scheduleType ?? job.scheduleType;
  const scheduleText = patch.schedule?.trim() ?? job.schedule;
  const timezone = patch.timezone === undefined ? job.timezone : cleanZone(patch.timezone);
  const enabled = patch.enabled ?? job.enabled;
  const rescheduled = scheduleType !== job.scheduleType || scheduleText !== job.schedule || timezone !== job.timezone;
  const parsed = parseSchedule(scheduleType, scheduleText, timezone ?? defaultZone);
  if (rescheduled) {
    Object.assign(changes, { scheduleType, schedule: scheduleText, timezone, anchorMs: nowMs });
    changes.nextRunMs = enabled ? firstRun(parsed, nowMs) : null;
  } else if (enabled !== job.enabled || (enabled && job.nextRunMs === null && parsed.type !== 'at')) {
    // An enabled one-shot job without a next run has fired (it may be running now): an edit does not fire it again.
    changes.nextRunMs = enabled
      ? parsed.type === 'every'
        ? nextRunAfter(parsed, nowMs, job.anchorMs)
        : firstRun(parsed, nowMs)
      : null;
  }
  if (enabled !== job.enabled) {
    changes.enabled = enabled;
    if (enabled) Object.assign(changes, { failureCount: 0, lastError: '' });
  }
  if ('nextRunMs' in changes || 'enabled' in changes) changes.scheduleRev = job.scheduleRev + 1;
  return changes;
}

/**
 * The changes a job without a zone of its own needs when the agent's `cron.timezone` becomes `zone`: its next run
 * read again in that zone (a cron expression's wall-clock times, an `at` time without an offset). Null when nothing
 * moves: a job with its own zone, an `every` job, one disabled or without a next run (a one-shot that fired), one
 * retrying after a failure or already due.
 */
export function rezonedChanges(job: CronJob, from: string, to: string, nowMs: number): Partial<CronJob> | null {
  if (job.timezone !== null || !job.enabled || job.nextRunMs === null || job.scheduleType === 'every') return null;
  // One already due is the catch-up's (its slots are recorded).
  if (job.nextRunMs <= nowMs) return null;
  let next: number | null;
  try {
    // A next run off the old zone's schedule is a failure's backoff (a retry): it is kept.
    if (firstRun(jobSchedule(job, from), nowMs) !== job.nextRunMs) return null;
    next = firstRun(jobSchedule(job, to), nowMs);
  } catch {
    // A schedule a zone cannot read (none today) keeps its next run; its run reports the problem.
    return null;
  }
  if (next === null || next === job.nextRunMs) return null;
  return { nextRunMs: next, scheduleRev: job.scheduleRev + 1, updatedMs: nowMs };
}
