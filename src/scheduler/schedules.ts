// Schedules: parse `at` / `every` / `cron` text in an IANA zone and compute run times. Pure; time is passed in.
import { Cron } from 'croner';
import { isKnownTimeZone } from '../config';
import { validationError } from '../shared/app-error';
import { zonedTimeToInstant } from './zoned-time';

export type ScheduleType = 'at' | 'every' | 'cron';
export const SCHEDULE_TYPES: readonly ScheduleType[] = ['at', 'every', 'cron'];
export const MIN_EVERY_SECONDS = 5;
export const MAX_EVERY_SECONDS = 366 * 86_400;

export type Schedule =
  | { type: 'at'; instantMs: number }
  | { type: 'every'; intervalMs: number }
  | { type: 'cron'; cron: Cron };

/** Throws 422 naming `field` unless `zone` is an IANA zone this runtime knows. */
export function checkTimeZone(zone: string, field = 'timezone'): string {
  if (!isKnownTimeZone(zone)) throw validationError(field, `Unknown IANA time zone: ${zone}`);
  return zone;
}

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** An ISO-8601 date-time as an instant; without an offset it is wall time in `zone`. */
export function parseAtInstant(text: string, zone: string): number {
  const match = ISO_PATTERN.exec(text.trim());
  if (!match) throw validationError('schedule', `Not an ISO-8601 date-time: ${text.trim()}`);
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '0', offset] = match;
  const fields = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h),
    minute: Number(mi),
    second: Number(s),
    millisecond: Math.floor(Number(`0.${fraction}`) * 1000),
  };
  const daysInMonth = new Date(Date.UTC(fields.year, fields.month, 0)).getUTCDate();
  if (
    fields.month < 1 ||
    fields.month > 12 ||
    fields.day < 1 ||
    fields.day > daysInMonth ||
    fields.hour > 23 ||
    fields.minute > 59 ||
    fields.second > 59
  ) {
    throw validationError('schedule', `Date-time out of range: ${text.trim()}`);
  }
  const wall = Date.UTC(
    fields.year,
    fields.month - 1,
    fields.day,
    fields.hour,
    fields.minute,
    fields.second,
    fields.millisecond,
  );
  if (!offset) return zonedTimeToInstant(fields, zone);
  if (offset.toUpperCase() === 'Z') return wall;
  const digits = offset.replace(':', '');
  const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || '0');
  if (minutes > 18 * 60) throw validationError('schedule', `UTC offset out of range: ${offset}`);
  return wall - (digits[0] === '-' ? -1 : 1) * minutes * 60_000;
}

/**
 * Parses and validates a schedule. Throws 422 `validation_error` naming `schedule` (or
 * `schedule_type`) with the reason. Cron expressions have 5 or 6 fields (optional seconds first),
 * with ranges, lists, steps and month/weekday names; day-of-month and weekday combine with OR as in
 * standard cron.
 */
export function parseSchedule(type: string, text: string, zone: string): Schedule {
  const trimmed = text.trim();
  if (!trimmed) throw validationError('schedule', 'Schedule must not be blank');
  switch (type) {
    case 'at':
      return { type: 'at', instantMs: parseAtInstant(trimmed, zone) };
    case 'every': {
      if (!/^\d+$/.test(trimmed))
        throw validationError('schedule', `An every schedule is a whole number of seconds: ${trimmed}`);
      const seconds = Number(trimmed);
      if (seconds < MIN_EVERY_SECONDS || seconds > MAX_EVERY_SECONDS) {
        throw validationError(
          'schedule',
          `Interval must be between ${MIN_EVERY_SECONDS} and ${MAX_EVERY_SECONDS} seconds`,
        );
      }
      return { type: 'every', intervalMs: seconds * 1000 };
    }
    case 'cron': {
      const fields = trimmed.split(/\s+/);
      if (fields.length !== 5 && fields.length !== 6)
        throw validationError('schedule', 'A cron expression has 5 fields (or 6 with seconds first)');
      let cron: Cron;
      try {
        cron = new Cron(fields.join(' '), {
          timezone: zone,
          mode: '5-or-6-parts',
          domAndDow: false,
          fixedTimeRule: 'no-wildcard',
          paused: true,
        });
      } catch (error) {
        throw validationError('schedule', `Invalid cron expression: ${(error as Error).message}`);
      }
      if (!cron.nextRun(new Date(0))) throw validationError('schedule', `Cron expression never matches: ${trimmed}`);
      return { type: 'cron', cron };
    }
    default:
      throw validationError('schedule_type', "Input should be 'at', 'every' or 'cron'");
  }
}

/**
 * The first run time strictly after `afterMs`, or null when there is none (an `at` that has passed).
 * `every` runs sit on a grid anchored at `anchorMs` (the job's creation or last schedule change), so
 * late runs never make later ones drift.
 */
export function nextRunAfter(schedule: Schedule, afterMs: number, anchorMs: number): number | null {
  switch (schedule.type) {
    case 'at':
      return schedule.instantMs > afterMs ? schedule.instantMs : null;
    case 'every': {
      if (afterMs < anchorMs) return anchorMs + schedule.intervalMs;
      const steps = Math.floor((afterMs - anchorMs) / schedule.intervalMs) + 1;
      return anchorMs + steps * schedule.intervalMs;
    }
    case 'cron': {
      // croner answers the first matching whole second strictly after the given time.
      const next = schedule.cron.nextRun(new Date(afterMs));
      return next ? next.getTime() : null;
    }
  }
}

/** The first run of a newly created or rescheduled job: a past `at` runs at once. */
export function firstRun(schedule: Schedule, nowMs: number): number | null {
  if (schedule.type === 'at') return Math.max(schedule.instantMs, nowMs);
  return nextRunAfter(schedule, nowMs, nowMs);
}

/** Delay before retry `failureCount` (1-based): base·2^(n−1), capped at max, never below 5 s. */
export function retryDelayMs(failureCount: number, baseSeconds: number, maxSeconds: number): number {
  const exponent = Math.min(Math.max(failureCount - 1, 0), 40);
  return Math.max(MIN_EVERY_SECONDS, Math.min(maxSeconds, baseSeconds * 2 ** exponent)) * 1000;
}
