import { describe, expect, it } from 'bun:test';
import { dayWindow, localDate, zonedMidnight } from './zoned-calendar';

const iso = (ms: number) => new Date(ms).toISOString();

describe('zoned calendar days', () => {
  it('starts a day where summer time skips its midnight at the jump, and keeps every instant in its own day', () => {
    // Santiago: 2026-09-06 00:00 (−4) does not exist; the day starts at 01:00 (−3), 04:00 UTC.
    expect(iso(zonedMidnight('America/Santiago', 2026, 9, 6))).toBe('2026-09-06T04:00:00.000Z');
    const lastHour = Date.parse('2026-09-06T03:30:00Z'); // 23:30 on the 5th
    const window = dayWindow('America/Santiago', lastHour);
    expect([iso(window.start), iso(window.end)]).toEqual(['2026-09-05T04:00:00.000Z', '2026-09-06T04:00:00.000Z']);
    expect(window.start <= lastHour && lastHour < window.end).toBe(true);
    // Havana, 2026-03-08: the same, at 05:00 UTC; New York (summer time at 02:00) and Santiago's autumn as before.
    expect(iso(zonedMidnight('America/Havana', 2026, 3, 8))).toBe('2026-03-08T05:00:00.000Z');
    expect(iso(zonedMidnight('America/New_York', 2026, 3, 8))).toBe('2026-03-08T05:00:00.000Z');
    expect(iso(zonedMidnight('America/Santiago', 2026, 4, 5))).toBe('2026-04-05T04:00:00.000Z');
  });

  it('starts a day at its first midnight where midnight comes twice (clocks back from 01:00), as a minute scan finds', () => {
    // The reference: the first minute whose local date is the day, scanning the hours around its UTC midnight.
    const firstMinute = (zone: string, year: number, month: number, day: number) => {
      const wall = Date.UTC(year, month - 1, day);
      for (let ms = wall - 16 * 3_600_000; ; ms += 60_000) {
        const local = localDate(zone, ms);
        if (local.year === year && local.month === month && local.day === day) return ms;
      }
    };
    for (const [zone, year, month, day] of [
      ['Asia/Gaza', 2020, 10, 24],
      ['Asia/Amman', 2021, 10, 29],
      ['America/Santiago', 2026, 9, 6],
      ['Australia/Lord_Howe', 2026, 4, 5],
      ['Asia/Kathmandu', 2026, 1, 1],
    ] as const)
      expect([zone, iso(zonedMidnight(zone, year, month, day))]).toEqual([
        zone,
        iso(firstMinute(zone, year, month, day)),
      ]);
    const asked = Date.parse('2020-10-23T21:00:00Z');
    const window = dayWindow('Asia/Gaza', asked);
    expect(window.start <= asked && asked < window.end).toBe(true);
  });
});
