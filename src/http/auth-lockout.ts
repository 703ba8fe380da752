// Slows token guessing: a client with too many failed bearer tokens in a window is refused for a while.
import type { Clock } from '../shared/clock';

export interface AuthLockoutSettings {
  /** Failures within `windowMs` that lock a client out. */
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

export const DEFAULT_AUTH_LOCKOUT: AuthLockoutSettings = { maxFailures: 10, windowMs: 60_000, lockMs: 5 * 60_000 };
const MAX_CLIENTS = 50_000;

export interface AuthLockout {
  /** Seconds the client must still wait, or 0 when it may try. */
  lockedFor(client: string): number;
  /** Counts a failed attempt; returns the lock in seconds when this failure locked the client. */
  fail(client: string): number;
}

export function createAuthLockout(clock: Clock, settings: AuthLockoutSettings = DEFAULT_AUTH_LOCKOUT): AuthLockout {
  const failures = new Map<string, number[]>();
  const lockedUntil = new Map<string, number>();

  const forget = (now: number) => {
    for (const [client, until] of lockedUntil) if (until <= now) lockedUntil.delete(client);
    for (const [client, stamps] of failures) if (now - stamps[stamps.length - 1]! >= settings.windowMs) failures.delete(client);
  };

  const secondsLeft = (until: number | undefined, now: number) => (until && until > now ? Math.ceil((until - now) / 1000) : 0);

  return {
    lockedFor: (client) => secondsLeft(lockedUntil.get(client), clock.nowMs()),
    fail(client) {
      const now = clock.nowMs();
      if (failures.size + lockedUntil.size > MAX_CLIENTS) forget(now);
      const stamps = (failures.get(client) ?? []).filter((stamp) => now - stamp < settings.windowMs);
      stamps.push(now);
      if (stamps.length < settings.maxFailures) {
        failures.set(client, stamps);
        return 0;
      }
      failures.delete(client);
      lockedUntil.set(client, now + settings.lockMs);
      return secondsLeft(now + settings.lockMs, now);
    },
  };
}
