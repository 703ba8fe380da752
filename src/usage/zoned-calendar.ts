// Calendar days and months in an IANA time zone, as UTC milliseconds (for budget windows and day buckets).
import { localFields, zoneOffsetMs } from '../shared/zone-fields';

const HOUR_MS = 3_600_000;

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** The calendar date at `ms` in `timeZone`. */
export function localDate(timeZone: string, ms: number): LocalDate {
  const { year, month, day } = localFields(ms, timeZone);
  return { year, month, day };
}

/**
 * UTC ms of the first instant of `year-month-day` in `timeZone` (day and month may overflow, as with Date.UTC): its
 * midnight, or where summer time skips midnight (Santiago, Havana) the instant the clocks jump, 01:00.
 */
export function zonedMidnight(timeZone: string, year: number, month: number, day: number): number {
  const wall = Date.UTC(year, month - 1, day);
  const first = wall - zoneOffsetMs(wall, timeZone);
  // A second pass settles days whose offset differs from the guess's (DST changes); the offsets half a day either
  // side cover a midnight that comes twice (clocks back from 01:00) and one skipped.
  const second = wall - zoneOffsetMs(first, timeZone);
  const candidates = [first, second, wall - zoneOffsetMs(wall - 14 * HOUR_MS, timeZone)];
  candidates.push(wall - zoneOffsetMs(wall + 12 * HOUR_MS, timeZone));
  const target = new Date(wall);
  const onDay = (ms: number) => {
    const local = localDate(timeZone, ms);
    return (
      local.year === target.getUTCFullYear() &&
      local.month === target.getUTCMonth() + 1 &&
      local.day === target.getUTCDate()
    );
  };
  const starts = candidates.filter(onDay);
  return starts.length > 0 ? Math.min(...starts) : second;
}

/** Start and end (exclusive) of the local day containing `ms`. */
export function dayWindow(timeZone: string, ms: number): { start: number; end: number } {
  const { year, month, day } = localDate(timeZone, ms);
  return { start: zonedMidnight(timeZone, year, month, day), end: zonedMidnight(timeZone, year, month, day + 1) };
}

/** Start and end (exclusive) of the local calendar month containing `ms`. */
export function monthWindow(timeZone: string, ms: number): { start: number; end: number } {
  const { year, month } = localDate(timeZone, ms);
  return { start: zonedMidnight(timeZone, year, month, 1), end: zonedMidnight(timeZone, year, month + 1, 1) };
}
