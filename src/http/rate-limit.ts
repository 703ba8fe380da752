// Sliding-window request limiter keyed by client and route family; the buckets are the Coordinator's.
import type { RateLimitSettings } from '../config';
import type { Coordinator } from '../coordination';

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
  check(client: string, pathname: string): Promise<RateDecision>;
}

/** A limiter that admits `settings[family]` requests per window for each client and family. */
export function createRateLimiter(settings: RateLimitSettings, coordinator: Coordinator): RateLimiter {
  const windowMs = settings.windowSeconds * 1000;
  return {
    async check(client, pathname) {
      if (!settings.enabled) return { allowed: true };
      const family = rateFamilyOf(pathname);
      if (!family) return { allowed: true };
      const limit = settings[family];
      const admission = await coordinator.admit(`rate\u0000${client}\u0000${family}`, limit, windowMs);
      if (admission.admitted) return { allowed: true };
      return { allowed: false, limit, retryAfterSeconds: Math.max(1, Math.ceil(admission.retryAfterMs / 1000)) };
    },
  };
}
