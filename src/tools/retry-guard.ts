// The retry guard's memory: failures of identical calls per run, and the identical calls under way.

/** Most failure keys kept; the oldest are forgotten first. */
const MAX_GUARD_KEYS = 10_000;

/** A call the guard let through: `settle` it with its outcome once it ends (it always must). */
export interface GuardTicket {
  settle(ok: boolean): void;
}

/**
 * Counts failed identical calls (by key) and refuses one once `limit` failed. Calls under way count too: the
 * calls of one model step run in parallel, so without them every identical call of a step would run before the
 * first failure was counted. A call that would pass the limit with them waits for them to end, then counts
 * again (a success among them forgets the failures, and it runs).
 */
export class RetryGuard {
  private readonly failures = new Map<string, number>();
  private readonly running = new Map<string, Set<Promise<void>>>();

  /**
   * A ticket to run, the number of failures that refuse the call, or `cancelled` when `signal` (the run's) aborts
   * while the call waits: it is not run after its run ended, nor held by calls that may never end.
   */
  async admit(
    key: string,
    limit: number,
    signal?: AbortSignal,
  ): Promise<GuardTicket | { refused: number } | { cancelled: true }> {
    let prior = this.failures.get(key) ?? 0;
    for (let pending = this.running.get(key); pending && prior + pending.size >= limit && prior < limit; ) {
      if (!(await endedUnlessAborted(Promise.all(pending), signal))) return { cancelled: true };
      prior = this.failures.get(key) ?? 0;
      pending = this.running.get(key);
    }
    if (prior >= limit) return { refused: prior };
    const ended = Promise.withResolvers<void>();
    const pending = this.running.get(key) ?? new Set<Promise<void>>();
    pending.add(ended.promise);
    this.running.set(key, pending);
    return {
      settle: (ok) => {
        pending.delete(ended.promise);
        if (pending.size === 0 && this.running.get(key) === pending) this.running.delete(key);
        // Counted from the failures now, not when the call began: parallel calls each add theirs.
        const failed = this.failures.get(key) ?? 0;
        this.failures.delete(key);
        if (!ok) {
          this.failures.set(key, failed + 1);
          if (this.failures.size > MAX_GUARD_KEYS) this.failures.delete(this.failures.keys().next().value!);
        }
        ended.resolve();
      },
    };
  }
}

/** Whether `ended` settled before `signal` aborted (false at once if it had); the listener goes either way. */
async function endedUnlessAborted(ended: Promise<unknown>, signal: AbortSignal | undefined): Promise<boolean> {
  if (!signal) {
    await ended;
    return true;
  }
  if (signal.aborted) return false;
  const aborted = Promise.withResolvers<false>();
  const onAbort = () => aborted.resolve(false);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([ended.then(() => !signal.aborted), aborted.promise]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
