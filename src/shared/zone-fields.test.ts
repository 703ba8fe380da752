import { afterEach, describe, expect, test } from 'bun:test';
import { isKnownTimeZone } from '../config';
import { localFields, UTC_ZONE, zoneOffsetMs } from './zone-fields';

const RealDateTimeFormat = Intl.DateTimeFormat;
const realFormatToParts = RealDateTimeFormat.prototype.formatToParts;

/** Instants around the edges a calendar has: epoch, before it, leap days, year ends, far future. */
const INSTANTS = [
  0,
  -1,
  -86_400_000 * 365.25 * 70 - 1234,
  Date.UTC(2024, 1, 29, 23, 59, 59, 999),
  Date.UTC(2023, 11, 31, 23, 59, 59, 500),
  Date.UTC(2026, 11, 7, 3, 54, 1),
  Date.UTC(2099, 0, 1, 0, 0, 0),
  1_733_541_241_987,
];

describe('the UTC zone', () => {
  afterEach(() => {
    Intl.DateTimeFormat = RealDateTimeFormat;
    RealDateTimeFormat.prototype.formatToParts = realFormatToParts;
  });

  test('gives the same wall-clock fields as the Intl formatter of Etc/UTC, at every edge', () => {
    for (const instant of INSTANTS) {
      expect({ instant, fields: localFields(instant, UTC_ZONE) }).toEqual({
        instant,
        fields: localFields(instant, 'Etc/UTC'),
      });
      expect(zoneOffsetMs(instant, UTC_ZONE)).toBe(0);
    }
    // Over a day in steps that cross every hour, minute and second boundary.
    for (let instant = Date.UTC(2025, 2, 30); instant < Date.UTC(2025, 2, 31); instant += 997_003) {
      expect(localFields(instant, UTC_ZONE)).toEqual(localFields(instant, 'Etc/UTC'));
    }
  });

  test('is known and read without Intl (whose first formatter loads the zone data at start)', () => {
    // A formatter made for UTC earlier (were there one) is refused too.
    Intl.DateTimeFormat = function refused() {
      throw new Error('Intl.DateTimeFormat was asked');
    } as unknown as typeof Intl.DateTimeFormat;
    RealDateTimeFormat.prototype.formatToParts = () => {
      throw new Error('an Intl formatter was asked');
    };
    expect(isKnownTimeZone(UTC_ZONE)).toBe(true);
    expect(localFields(Date.UTC(2026, 0, 2, 3, 4, 5), UTC_ZONE)).toEqual({
      year: 2026,
      month: 1,
      day: 2,
      hour: 3,
      minute: 4,
      second: 5,
    });
    // Every other zone still asks Intl.
    expect(isKnownTimeZone('Europe/Paris')).toBe(false);
  });

  test('other zones are still checked by Intl', () => {
    expect(isKnownTimeZone('Europe/Paris')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(zoneOffsetMs(Date.UTC(2026, 6, 1), 'Europe/Paris')).toBe(2 * 3_600_000);
  });

  test('refuses an instant that is no time, as the Intl path does', () => {
    for (const zone of [UTC_ZONE, 'Etc/UTC'])
      for (const instant of [Number.NaN, Number.POSITIVE_INFINITY, 9e15])
        expect(() => localFields(instant, zone)).toThrow(RangeError);
  });
});

describe('zone formatters', () => {
  afterEach(() => {
    Intl.DateTimeFormat = RealDateTimeFormat;
  });

  test('keeps the 64 used last: a request may name a zone in endless spellings (each formatter ~30 KB)', () => {
    let built = 0;
    Intl.DateTimeFormat = function counted(...args: ConstructorParameters<typeof RealDateTimeFormat>) {
      built++;
      return new RealDateTimeFormat(...args);
    } as unknown as typeof Intl.DateTimeFormat;
    const zones = Array.from(
      { length: 100 },
      (_, index) => `+${String(Math.floor(index / 60)).padStart(2, '0')}:${String(index % 60).padStart(2, '0')}`,
    );
    for (const zone of zones) localFields(0, zone);
    const before = built;
    localFields(0, zones.at(-1)!);
    expect(built).toBe(before);
    // The first was dropped long ago: asked again, it is built again.
    localFields(0, zones[0]!);
    expect(built).toBe(before + 1);
  });
});
