import { describe, expect, it } from 'bun:test';
import { isHourInWindow, nextWindowStart, normalizeHeartbeatPrompt } from './heartbeat-prompt';

describe('normalizeHeartbeatPrompt', () => {
  it('keeps Markdown headings and items, drops HTML comments, #-comments and blank lines', () => {
    const text = [
      '# Morning checks',
      '<!-- written by the operator',
      '     spanning lines -->',
      '#todo: not for the model',
      '',
      '- Look at the inbox <!-- inline note -->',
      '## Weekly',
      '- Review memory/notes.md',
    ].join('\n');
    expect(normalizeHeartbeatPrompt(text)).toBe(
      '# Morning checks\n- Look at the inbox\n## Weekly\n- Review memory/notes.md',
    );
  });

  it('is empty when only headings and comments are left (the seeded template)', () => {
    expect(normalizeHeartbeatPrompt('# HEARTBEAT.md\n# Lines starting with # are comments.\n<!-- nothing -->\n')).toBe(
      '',
    );
    expect(normalizeHeartbeatPrompt('\n  \n')).toBe('');
  });
});

describe('isHourInWindow', () => {
  it('treats equal bounds as always, start ≤ hour < end, and windows that wrap past midnight', () => {
    expect([0, 12, 23].map((hour) => isHourInWindow(hour, 5, 5))).toEqual([true, true, true]);
    expect([8, 9, 20, 21].map((hour) => isHourInWindow(hour, 9, 21))).toEqual([false, true, true, false]);
    expect([21, 22, 23, 0, 5, 6, 12].map((hour) => isHourInWindow(hour, 22, 6))).toEqual([
      false,
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('nextWindowStart', () => {
  it('returns the time itself inside the window, else the zone-local start of the window', () => {
    const inside = Date.parse('2026-01-15T10:07:00Z');
    expect(nextWindowStart(inside, 'UTC', 9, 21)).toBe(inside);
    // 22:10 in Berlin (UTC+1 in winter): the window opens at 09:00 local = 08:00Z the next day.
    expect(new Date(nextWindowStart(Date.parse('2026-01-15T21:10:00Z'), 'Europe/Berlin', 9, 21)).toISOString()).toBe(
      '2026-01-16T08:00:00.000Z',
    );
    // Nepal is UTC+5:45: local hours start at quarter past the UTC hour.
    expect(new Date(nextWindowStart(Date.parse('2026-01-15T00:00:00Z'), 'Asia/Kathmandu', 9, 10)).toISOString()).toBe(
      '2026-01-15T03:15:00.000Z',
    );
  });
});
