// Slows token guessing: a client with too many failed bearer tokens in a window is refused for a while.
import type { Coordinator } from '../coordination';

export interface AuthLockoutSettings {
  /** Failures within `windowMs` that lock a client out. */
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

export const DEFAULT_AUTH_LOCKOUT: AuthLockoutSettings = { maxFailures: 10, windowMs: 60_000, lockMs: 5 * 60_000 };

export interface AuthLockout {
  /** Seconds the client must still wait, or 0 when it may try. */
  lockedFor(client: string): Promise<number>;
  /** Counts a failed attempt; returns the lock in seconds when this failure locked the client. */
  fail(client: string): Promise<number>;
}

/** The lockout's strikes and blocks live in the Coordinator, so every replica sharing one sees them. */
export function createAuthLockout(
  coordinator: Coordinator,
  settings: AuthLockoutSettings = DEFAULT_AUTH_LOCKOUT,
): AuthLockout {
  const policy = { maxStrikes: settings.maxFailures, windowMs: settings.windowMs, blockMs: settings.lockMs };
  const key = (client: string) => `auth-failure\u0000${client}`;
  const seconds = (ms: number) => (ms > 0 ? Math.ceil(ms / 1000) : 0);
  return {
    lockedFor: async (client) => seconds(await coordinator.blockedFor(key(client))),
    fail: async (client) => seconds(await coordinator.strike(key(client), policy)),
  };
}
