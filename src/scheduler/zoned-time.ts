// Wall-clock time in an IANA zone: offsets, local fields of an instant, and local time to instant.

interface LocalFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The wall-clock fields of `instantMs` in `zone` (whole seconds). */
export function localFields(instantMs: number, zone: string): LocalFields {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(new Date(instantMs))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return { year: fields.year!, month: fields.month!, day: fields.day!, hour: fields.hour! % 24, minute: fields.minute!, second: fields.second! };
}

/** The zone's offset from UTC at `instantMs`, in milliseconds (positive east of Greenwich). */
export function zoneOffsetMs(instantMs: number, zone: string): number {
  const whole = Math.floor(instantMs / 1000) * 1000;
  const local = localFields(whole, zone);
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second) - whole;
}

/** The hour (0–23) on the wall clock of `zone` at `instantMs`. */
export function localHour(instantMs: number, zone: string): number {
  return localFields(instantMs, zone).hour;
}

/**
 * The instant at which the wall clock of `zone` shows the given local time. A time that does not
 * exist (skipped by a daylight-saving jump) maps to the same wall time shifted past the gap (02:30 in
 * a 02:00→03:00 jump is 03:30); a time that occurs twice maps to its first occurrence.
 */
export function zonedTimeToInstant(fields: LocalFields & { millisecond?: number }, zone: string): number {
  const wall = Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second, fields.millisecond ?? 0);
  // The two candidate offsets are the zone's offsets a day either side of the wall time.
  const before = zoneOffsetMs(wall - 86_400_000, zone);
  const after = zoneOffsetMs(wall + 86_400_000, zone);
  const candidates = [wall - before, wall - after]
    .filter((instant) => instant + zoneOffsetMs(instant, zone) === wall)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0]!;
  // In a gap: read the wall time with the offset in force before the jump.
  return wall - before;
}
