import { describe, expect, it } from 'bun:test';
import { dayWindow, zonedMidnight } from './zoned-calendar';

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
});
