import { describe, expect, it } from 'bun:test';
import { AppError } from '../shared/app-error';
import { firstRun, nextRunAfter, parseAtInstant, parseSchedule, retryDelayMs, type Schedule } from './schedules';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The next `count` run times after `fromIso`, as ISO strings. */
function runs(schedule: Schedule, fromIso: string, count: number, anchorMs = at(fromIso)): string[] {
  const result: string[] = [];
  let after = at(fromIso);
  for (let index = 0; index < count; index++) {
    const next = nextRunAfter(schedule, after, anchorMs)!;
    result.push(iso(next)!);
    after = next;
  }
  return result;
}

function fieldOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('validation_error');
    return ((error as AppError).details!.items as { field: string }[])[0]!.field;
  }
  throw new Error('expected a validation error');
}

describe('every schedules', () => {
  it('stays on the grid anchored at creation however late the previous run was', () => {
    const schedule = parseSchedule('every', ' 60 ', 'UTC');
    const created = at('2026-01-01T00:00:10Z');
    expect(iso(firstRun(schedule, created))).toBe('2026-01-01T00:01:10.000Z');
    // A run that started 25 s late does not push the next one.
    expect(iso(nextRunAfter(schedule, at('2026-01-01T00:01:35Z'), created))).toBe('2026-01-01T00:02:10.000Z');
    // Exactly on a slot: the next one.
    expect(iso(nextRunAfter(schedule, at('2026-01-01T00:02:10Z'), created))).toBe('2026-01-01T00:03:10.000Z');
  });

  it('refuses decimals, words and intervals under 5 seconds, naming schedule', () => {
    expect(fieldOf(() => parseSchedule('every', '4', 'UTC'))).toBe('schedule');
    expect(fieldOf(() => parseSchedule('every', '7.5', 'UTC'))).toBe('schedule');
    expect(fieldOf(() => parseSchedule('every', 'often', 'UTC'))).toBe('schedule');
    expect(fieldOf(() => parseSchedule('every', '  ', 'UTC'))).toBe('schedule');
  });
});

describe('at schedules', () => {
  it('reads a time with Z or an offset as that instant, whatever the zone', () => {
    expect(iso(parseAtInstant('2026-06-01T12:00:00Z', 'Asia/Tokyo'))).toBe('2026-06-01T12:00:00.000Z');
    expect(iso(parseAtInstant('2026-06-01T12:00:00+02:00', 'America/New_York'))).toBe('2026-06-01T10:00:00.000Z');
    expect(iso(parseAtInstant('2026-06-01T12:00:00.250-0530', 'UTC'))).toBe('2026-06-01T17:30:00.250Z');
  });

  it('reads a time without offset in the configured zone, summer and winter', () => {
    expect(iso(parseAtInstant('2026-06-01T12:00:00', 'Europe/Berlin'))).toBe('2026-06-01T10:00:00.000Z');
    expect(iso(parseAtInstant('2026-01-15 12:00', 'Europe/Berlin'))).toBe('2026-01-15T11:00:00.000Z');
    expect(iso(parseAtInstant('2026-01-15T12:00:00', 'America/New_York'))).toBe('2026-01-15T17:00:00.000Z');
  });

  it('maps a wall time skipped by the spring jump past the gap, and a repeated one to its first occurrence', () => {
    expect(iso(parseAtInstant('2026-03-08T02:30:00', 'America/New_York'))).toBe('2026-03-08T07:30:00.000Z');
    expect(iso(parseAtInstant('2026-11-01T01:30:00', 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z');
  });

  it('runs a past instant once at once, and never again', () => {
    const schedule = parseSchedule('at', '2020-01-01T00:00:00Z', 'UTC');
    const now = at('2026-01-01T00:00:00Z');
    expect(firstRun(schedule, now)).toBe(now);
    expect(nextRunAfter(schedule, now, now)).toBeNull();
  });

  it('refuses malformed and impossible dates, naming schedule', () => {
    expect(fieldOf(() => parseSchedule('at', 'tomorrow', 'UTC'))).toBe('schedule');
    expect(fieldOf(() => parseSchedule('at', '2026-02-30T10:00:00', 'UTC'))).toBe('schedule');
    expect(fieldOf(() => parseSchedule('at', '2026-01-01T24:00:00', 'UTC'))).toBe('schedule');
  });
});

describe('cron schedules', () => {
  it('takes ranges, steps, lists and month and weekday names', () => {
    const weekdays = parseSchedule('cron', '0 9 * JAN-MAR MON-FRI', 'UTC');
    // 2026-01-02 is a Friday; the weekend is skipped.
    expect(runs(weekdays, '2026-01-02T09:00:00Z', 2)).toEqual(['2026-01-05T09:00:00.000Z', '2026-01-06T09:00:00.000Z']);
    const steps = parseSchedule('cron', '*/20 8-9 * * *', 'UTC');
    expect(runs(steps, '2026-01-01T07:59:00Z', 4)).toEqual([
      '2026-01-01T08:00:00.000Z',
      '2026-01-01T08:20:00.000Z',
      '2026-01-01T08:40:00.000Z',
      '2026-01-01T09:00:00.000Z',
    ]);
    const list = parseSchedule('cron', '15,45 12 1 * *', 'UTC');
    expect(runs(list, '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-01T12:15:00.000Z',
      '2026-01-01T12:45:00.000Z',
      '2026-02-01T12:15:00.000Z',
    ]);
  });

  it('takes a sixth field for seconds', () => {
    const schedule = parseSchedule('cron', '*/30 * * * * *', 'UTC');
    expect(runs(schedule, '2026-01-01T00:00:10Z', 2)).toEqual(['2026-01-01T00:00:30.000Z', '2026-01-01T00:01:00.000Z']);
  });

  it('matches day-of-month or weekday when both are restricted, as standard cron does', () => {
    const schedule = parseSchedule('cron', '0 0 13 * FRI', 'UTC');
    expect(runs(schedule, '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-02T00:00:00.000Z',
      '2026-01-09T00:00:00.000Z',
      '2026-01-13T00:00:00.000Z',
    ]);
  });

  it('evaluates in the zone and neither skips nor doubles a daily run across both DST changes', () => {
    const newYork = parseSchedule('cron', '30 2 * * *', 'America/New_York');
    // 2026-03-08: 02:00 jumps to 03:00, so 02:30 does not exist; the run comes once, right after the gap.
    expect(runs(newYork, '2026-03-07T12:00:00Z', 3)).toEqual([
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T06:30:00.000Z',
      '2026-03-10T06:30:00.000Z',
    ]);
    const berlin = parseSchedule('cron', '30 2 * * *', 'Europe/Berlin');
    // 2026-10-25: 02:30 happens twice in Berlin; the job runs once.
    expect(runs(berlin, '2026-10-24T12:00:00Z', 3)).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
      '2026-10-27T01:30:00.000Z',
    ]);
  });

  it('refuses bad expressions with the reason, naming schedule', () => {
    expect(fieldOf(() => parseSchedule('cron', '61 * * * *', 'UTC'))).toBe('schedule');
    expect(fieldOf(() => parseSchedule('cron', '* * *', 'UTC'))).toBe('schedule');
    expect(fieldOf(() => parseSchedule('cron', '* * * * * * *', 'UTC'))).toBe('schedule');
    expect(fieldOf(() => parseSchedule('cron', '0 0 30 2 *', 'UTC'))).toBe('schedule');
    expect(fieldOf(() => parseSchedule('hourly', '1', 'UTC'))).toBe('schedule_type');
  });
});

describe('retryDelayMs', () => {
  it('doubles from the base and stops at the cap, never under 5 s', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, 30, 300) / 1000)).toEqual([30, 60, 120, 240, 300, 300]);
    expect(retryDelayMs(1, 1, 3600)).toBe(5000);
    expect(retryDelayMs(500, 30, 3600)).toBe(3_600_000);
  });
});
