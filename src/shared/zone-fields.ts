// Wall-clock fields of an instant in an IANA zone, and the zone's offset there (one cached formatter a zone).
import { lruCached } from './lru-cache';

/**
 * The zone every time zone setting defaults to. Its fields come from Date's UTC getters: the first Intl formatter of a
 * process loads ICU's zone data (about 10 ms, once), which a server on the default need never pay.
 */
export const UTC_ZONE = 'UTC';

export interface LocalFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * Formatters by zone as given, the 64 used last: any casing of a name and every offset spelling is a zone (a
 * request's `timezone` among them), and each formatter holds ~30 KB, so an unbounded map grew with every variant.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATTERS = 64;

function formatterFor(zone: string): Intl.DateTimeFormat {
  return lruCached(
    formatters,
    zone,
    MAX_FORMATTERS,
    () =>
      new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      }),
  );
}

/** The wall-clock fields of `instantMs` in `zone` (whole seconds). */
export function localFields(instantMs: number, zone: string): LocalFields {
  if (zone === UTC_ZONE) {
    const date = new Date(instantMs);
    // As Intl's formatter does with an instant that is no time (or past the ±8.64e15 ms a Date holds).
    if (Number.isNaN(date.getTime())) throw new RangeError('Invalid time value');
    return {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
    };
  }
  const fields: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(new Date(instantMs))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return {
    year: fields.year!,
    month: fields.month!,
    day: fields.day!,
    hour: fields.hour! % 24,
    minute: fields.minute!,
    second: fields.second!,
  };
}

/** The zone's offset from UTC at `instantMs`, in milliseconds (positive east of Greenwich). */
export function zoneOffsetMs(instantMs: number, zone: string): number {
  const whole = Math.floor(instantMs / 1000) * 1000;
  const local = localFields(whole, zone);
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second) - whole;
}
