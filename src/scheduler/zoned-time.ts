// Wall-clock time in an IANA zone: the local hour of an instant, and local time to instant.
import { localFields, zoneOffsetMs, type LocalFields } from '../shared/zone-fields';

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
  const wall = Date.UTC(
    fields.year,
    fields.month - 1,
    fields.day,
    fields.hour,
    fields.minute,
    fields.second,
    fields.millisecond ?? 0,
  );
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
