import { describe, expect, it } from 'bun:test';
import { createBreakerBoard } from './circuit-breaker';

function board(settings = { failure_threshold: 2, cooldown_seconds: 10, max_cooldown_seconds: 30 }) {
  let now = 1_000_000;
  const breakers = createBreakerBoard({ nowMs: () => now }, () => settings);
  return { breakers, advance: (ms: number) => (now += ms), now: () => now };
}

describe('createBreakerBoard', () => {
  it('opens at the threshold of failures in a row, and a success in between resets the count', () => {
    const { breakers } = board();
    breakers.failure('p', 'server_error', 'boom');
    breakers.success('p');
    breakers.failure('p', 'server_error', 'boom');
    expect(breakers.admit('p')).toBe('call');
    breakers.failure('p', 'timeout', 'slow');
    expect(breakers.admit('p')).toBe('skip');
    expect(breakers.isAvailable('p')).toBe(false);
    expect(breakers.snapshot('p')).toEqual({
      state: 'open',
      failures: 2,
      lastError: { reason: 'timeout', message: 'slow', atMs: 1_000_000 },
      openUntilMs: 1_010_000,
    });
  });

  it('lets exactly one probe through after the cool-down; others skip until it reports', () => {
    const { breakers, advance } = board();
    breakers.failure('p', 'server_error', 'x');
    breakers.failure('p', 'server_error', 'x');
    advance(9_999);
    expect(breakers.admit('p')).toBe('skip');
    advance(1);
    expect(breakers.isAvailable('p')).toBe(true);
    expect(breakers.admit('p')).toBe('probe');
    expect(breakers.admit('p')).toBe('skip');
    expect(breakers.isAvailable('p')).toBe(false);
    breakers.release('p');
    expect(breakers.admit('p')).toBe('probe');
    breakers.success('p');
    expect(breakers.snapshot('p')).toEqual(
      expect.objectContaining({ state: 'closed', failures: 0, openUntilMs: null }),
    );
  });

  it('doubles the cool-down on each failed probe, up to its cap', () => {
    const { breakers, advance, now } = board();
    breakers.failure('p', 'server_error', 'x');
    breakers.failure('p', 'server_error', 'x');
    const cooldowns: number[] = [];
    for (let round = 0; round < 3; round++) {
      advance(60_000);
      expect(breakers.admit('p')).toBe('probe');
      breakers.failure('p', 'server_error', 'x');
      cooldowns.push(breakers.snapshot('p').openUntilMs! - now());
    }
    expect(cooldowns).toEqual([20_000, 30_000, 30_000]);
  });

  it('keeps profiles apart', () => {
    const { breakers } = board({ failure_threshold: 1, cooldown_seconds: 10, max_cooldown_seconds: 10 });
    breakers.failure('a', 'rate_limit', 'x');
    expect(breakers.admit('a')).toBe('skip');
    expect(breakers.admit('b')).toBe('call');
  });
});
