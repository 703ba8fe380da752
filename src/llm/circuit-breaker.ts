// The circuit breaker of each profile: consecutive failures open it, a cool-down keeps it open, one probe decides.
import type { BreakerConfig } from '../config';
import type { Clock } from '../shared/clock';

export type BreakerState = 'closed' | 'open' | 'half_open';

/** What a caller may do with a profile now: call it, call it as the one probe, or skip it (no request). */
export type Admission = 'call' | 'probe' | 'skip';

export interface BreakerSnapshot {
  state: BreakerState;
  /** Classified failures in a row. */
  failures: number;
  lastError: { reason: string; message: string; atMs: number } | null;
  /** While open: when the next probe may go (epoch ms). */
  openUntilMs: number | null;
}

export interface BreakerBoard {
  /**
   * Whether a request may go to `profileId`. Once an open breaker's cool-down has passed, the first
   * caller gets `probe` and every other caller `skip` until that probe's outcome is reported.
   */
  admit(profileId: string): Admission;
  /** Whether `admit` would let a request through now (claims nothing). */
  isAvailable(profileId: string): boolean;
  /** The provider answered: the breaker closes and its count and cool-down reset. */
  success(profileId: string): void;
  /** A classified failure: counted; at the threshold (or when a probe fails) the breaker opens. */
  failure(profileId: string, reason: string, message: string): void;
  /** The request ended without a verdict (aborted): a claimed probe is given back. */
  release(profileId: string): void;
  snapshot(profileId: string): BreakerSnapshot;
}

interface Entry extends BreakerSnapshot {
  cooldownMs: number;
  probing: boolean;
}

/** Breakers for every profile, created on first use; `settings()` is read at each decision (config may change). */
export function createBreakerBoard(clock: Clock, settings: () => BreakerConfig): BreakerBoard {
  const entries = new Map<string, Entry>();
  const entryOf = (profileId: string): Entry => {
    let entry = entries.get(profileId);
    if (!entry) {
      entry = { state: 'closed', failures: 0, lastError: null, openUntilMs: null, cooldownMs: 0, probing: false };
      entries.set(profileId, entry);
    }
    return entry;
  };
  /** An open breaker whose cool-down has passed becomes half-open. */
  const current = (profileId: string): Entry => {
    const entry = entryOf(profileId);
    if (entry.state === 'open' && entry.openUntilMs !== null && clock.nowMs() >= entry.openUntilMs)
      entry.state = 'half_open';
    return entry;
  };
  const open = (entry: Entry, cooldownMs: number) => {
    entry.state = 'open';
    entry.cooldownMs = cooldownMs;
    entry.openUntilMs = clock.nowMs() + cooldownMs;
  };

  return {
    admit(profileId) {
      const entry = current(profileId);
      if (entry.state === 'closed') return 'call';
      if (entry.state === 'open' || entry.probing) return 'skip';
      entry.probing = true;
      return 'probe';
    },
    isAvailable(profileId) {
      const entry = current(profileId);
      return entry.state === 'closed' || (entry.state === 'half_open' && !entry.probing);
    },
    success(profileId) {
      const entry = entryOf(profileId);
      Object.assign(entry, { state: 'closed', failures: 0, openUntilMs: null, cooldownMs: 0, probing: false });
    },
    failure(profileId, reason, message) {
      const entry = current(profileId);
      const { failure_threshold, cooldown_seconds, max_cooldown_seconds } = settings();
      entry.failures += 1;
      entry.lastError = { reason, message, atMs: clock.nowMs() };
      const wasProbe = entry.probing || entry.state === 'half_open';
      entry.probing = false;
      if (wasProbe) open(entry, Math.min(Math.max(entry.cooldownMs, 1) * 2, max_cooldown_seconds * 1000));
      else if (entry.state === 'closed' && entry.failures >= failure_threshold) open(entry, cooldown_seconds * 1000);
    },
    release(profileId) {
      entryOf(profileId).probing = false;
    },
    snapshot(profileId) {
      const { state, failures, lastError, openUntilMs } = current(profileId);
      return { state, failures, lastError, openUntilMs: state === 'closed' ? null : openUntilMs };
    },
  };
}
