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
  // Midnight under the offset in force at the guess (a second pass settles days whose offset differs from the
  // guess's), and half a day either side (a midnight that comes twice, clocks back from 01:00, or one skipped).
  const candidates = [wall, first, wall - 14 * HOUR_MS, wall + 12 * HOUR_MS].map(
    (probe) => wall - zoneOffsetMs(probe, timeZone),
  );
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
  return starts.length > 0 ? Math.min(...starts) : candidates[1]!;
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
