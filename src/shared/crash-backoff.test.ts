import { describe, expect, it } from 'bun:test';
import { createCrashBackoff } from './crash-backoff';

describe('createCrashBackoff', () => {
  it('doubles the wait from a second to a minute for failures in a row, per key, and starts over after a success', () => {
    const backoff = createCrashBackoff();
    const waits = Array.from({ length: 9 }, () => backoff.failed('job').retryInMs);
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    expect(backoff.failed('other')).toEqual({ attempt: 1, retryInMs: 1000 });
    backoff.succeeded('job');
    expect(backoff.failed('job')).toEqual({ attempt: 1, retryInMs: 1000 });
  });
});
