// Calendar days and months in an IANA time zone, as UTC milliseconds (for budget windows and day buckets).

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

function localParts(timeZone: string, ms: number): LocalDate & { hour: number; minute: number; second: number } {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(ms)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

/** The calendar date at `ms` in `timeZone`. */
export function localDate(timeZone: string, ms: number): LocalDate {
  const { year, month, day } = localParts(timeZone, ms);
  return { year, month, day };
}

/** How far `timeZone`'s wall clock is ahead of UTC at `ms`. */
function offsetMs(timeZone: string, ms: number): number {
  const parts = localParts(timeZone, ms);
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** UTC ms of local midnight starting `year-month-day` in `timeZone` (day and month may overflow, as with Date.UTC). */
export function zonedMidnight(timeZone: string, year: number, month: number, day: number): number {
  const wall = Date.UTC(year, month - 1, day);
  const first = wall - offsetMs(timeZone, wall);
  // A second pass settles days whose offset differs from the guess's (DST changes).
  return wall - offsetMs(timeZone, first);
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
