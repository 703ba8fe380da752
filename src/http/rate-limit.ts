// Sliding-window request limiter keyed by client and route family, with bounded memory.
import type { RateLimitSettings } from '../config/env';
import type { Clock } from '../shared/clock';

export type RateFamily = 'chat' | 'tokens' | 'files';

/** The limited family a path belongs to, or null when it is not limited. */
export function rateFamilyOf(pathname: string): RateFamily | null {
  if (pathname === '/api/chat' || pathname.startsWith('/api/chat/')) return 'chat';
  if (pathname === '/api/tokens' || pathname.startsWith('/api/tokens/')) return 'tokens';
  if (pathname === '/api/files' || pathname.startsWith('/api/files/')) return 'files';
  return null;
}

export type RateDecision = { allowed: true } | { allowed: false; limit: number; retryAfterSeconds: number };

export interface RateLimiter {
  check(client: string, pathname: string): RateDecision;
}

const MAX_BUCKETS = 50_000;

/** A limiter that admits `settings[family]` requests per window for each client and family. */
export function createRateLimiter(settings: RateLimitSettings, clock: Clock): RateLimiter {
  const buckets = new Map<string, number[]>();
  const windowMs = settings.windowSeconds * 1000;
  let lastSweep = clock.nowMs();

  const sweep = (now: number) => {
    for (const [key, stamps] of buckets) {
      if (stamps.length === 0 || now - stamps[stamps.length - 1]! >= windowMs) buckets.delete(key);
    }
    lastSweep = now;
  };

  return {
    check(client, pathname) {
      if (!settings.enabled) return { allowed: true };
      const family = rateFamilyOf(pathname);
      if (!family) return { allowed: true };
      const now = clock.nowMs();
      if (now - lastSweep >= windowMs || buckets.size > MAX_BUCKETS) sweep(now);
      const key = `${client}|${family}`;
      const limit = settings[family];
      const stamps = buckets.get(key) ?? [];
      while (stamps.length > 0 && now - stamps[0]! >= windowMs) stamps.shift();
      if (stamps.length >= limit) {
        return { allowed: false, limit, retryAfterSeconds: Math.max(1, Math.ceil((stamps[0]! + windowMs - now) / 1000)) };
      }
      stamps.push(now);
      buckets.set(key, stamps);
      return { allowed: true };
    },
  };
}
