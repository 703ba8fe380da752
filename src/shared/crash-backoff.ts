// How long work that failed outright waits before it is tried again (a cron run or timer pass, a run status storage refused).

/** The first retry after a failure; each failure in a row doubles it. */
export const CRASH_RETRY_BASE_MS = 1000;
/** The longest wait between retries, so a failure that lasts is tried (and logged) about once a minute. */
export const CRASH_RETRY_MAX_MS = 60_000;

export interface CrashBackoff {
  /** Counts a failure of `key`; returns how many in a row and the wait before the next try. */
  failed(key: string): { attempt: number; retryInMs: number };
  /** `key` worked: its next failure waits the base again. */
  succeeded(key: string): void;
}

/** Waits `baseMs · 2^(n−1)` after the n-th failure in a row, capped at `maxMs`. */
export function createCrashBackoff(baseMs = CRASH_RETRY_BASE_MS, maxMs = CRASH_RETRY_MAX_MS): CrashBackoff {
  const streaks = new Map<string, number>();
  return {
    failed(key) {
      const attempt = (streaks.get(key) ?? 0) + 1;
      streaks.set(key, attempt);
      return { attempt, retryInMs: Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30)) };
    },
    succeeded: (key) => void streaks.delete(key),
  };
}
