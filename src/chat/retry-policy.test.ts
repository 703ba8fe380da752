import { describe, expect, it } from 'bun:test';
import { retryAfterMs, retryDelayMs } from './retry-policy';

const failure = (status?: number, headers?: Record<string, string>, extra: object = {}) =>
  Object.assign(new Error('x'), { status, headers: headers && new Headers(headers), ...extra });

describe('retry policy', () => {
  it('backs off 0.5 s · 2^n for server errors and network failures', () => {
    expect(retryDelayMs(failure(500), 0, 60_000)).toBe(500);
    expect(retryDelayMs(failure(502), 2, 60_000)).toBe(2000);
    expect(retryDelayMs(new TypeError('fetch failed'), 1, 60_000)).toBe(1000);
  });

  it('never retries errors a retry cannot fix', () => {
    for (const status of [400, 401, 403, 404, 422]) expect(retryDelayMs(failure(status), 0, 60_000)).toBeNull();
  });

  it('honours Retry-After in seconds, as a date, or as LangChain parsed it, within the timeout only', () => {
    expect(retryDelayMs(failure(429, { 'retry-after': '3' }), 0, 60_000)).toBe(3000);
    expect(retryDelayMs(failure(429, { 'retry-after': '120' }), 0, 60_000)).toBeNull();
    expect(retryDelayMs(failure(429, {}, { retryAfterMs: 1500 }), 0, 60_000)).toBe(1500);
    expect(retryAfterMs(failure(503, { 'retry-after': new Date(10_000).toUTCString() }), 4_000)).toBe(6000);
    expect(retryAfterMs(failure(429, { 'retry-after': 'soon' }))).toBeUndefined();
    const wrapped = Object.assign(new Error('middleware'), { cause: failure(429, { 'retry-after': '2' }) });
    expect(retryDelayMs(wrapped, 0, 60_000)).toBe(2000);
    expect(retryDelayMs(Object.assign(new Error('middleware'), { cause: failure(401) }), 0, 60_000)).toBeNull();
  });
});
