// Per-request checks before routing: request id, security headers, trusted host, cross-site, bearer token, rate limit.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Elysia } from 'elysia';
import type { IpRange } from '../shared/ip-address';
import { bodyLimitFor } from './body-parser';
import { errorResponse } from './error-envelope';
import type { AuthLockout } from './auth-lockout';
import { clientAddress } from './client-address';
import { crossSiteRefusal, isForeignRead } from './cross-site';
import type { RateLimiter } from './rate-limit';
import { isTrustedHost } from './trusted-hosts';

export const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  'cross-origin-resource-policy': 'same-site',
};

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const OPEN_PATHS = new Set(['/api/health', '/api/ready']);

export interface RequestGuardsDeps {
  trustedHosts: readonly string[];
  /** Origins whose pages may change state (`APP_ALLOWED_ORIGINS`); the server's own origin always may. */
  allowedOrigins: readonly string[];
  /** Peers whose forwarding headers name the client for rate limits and the lockout (`APP_TRUSTED_PROXIES`). */
  trustedProxies: readonly IpRange[];
  apiToken: string;
  rateLimiter: RateLimiter;
  authLockout: AuthLockout;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time check of an `Authorization: Bearer …` header against the token. */
export function hasValidToken(authorization: string | null, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? '');
  return timingSafeEqual(digest(match?.[1] ?? ''), digest(token)) && match !== null;
}

/** Decides per request whether it may read what only a token holder may see on an open route. */
export type TokenHolderCheck = (request: Request, peer: string | undefined) => Promise<boolean>;

/**
 * Open routes (`/api/ready`) answer everyone, but only a token holder gets their details. A request
 * without `Authorization` is a probe and costs nothing; a wrong token counts towards the lockout like
 * anywhere else, and a locked-out client is not a token holder, so the open route is no guessing oracle.
 */
export function tokenHolderCheck(
  deps: Pick<RequestGuardsDeps, 'apiToken' | 'authLockout' | 'trustedProxies'>,
): TokenHolderCheck {
  return async (request, peer) => {
    if (!deps.apiToken) return true;
    const authorization = request.headers.get('authorization');
    if (authorization === null) return false;
    const client = clientAddress(peer, request.headers, deps.trustedProxies);
    if ((await deps.authLockout.lockedFor(client)) > 0) return false;
    if (hasValidToken(authorization, deps.apiToken)) return true;
    await deps.authLockout.fail(client);
    return false;
  };
}

export function requestGuards({
  trustedHosts,
  allowedOrigins,
  trustedProxies,
  apiToken,
  rateLimiter,
  authLockout,
}: RequestGuardsDeps) {
  // .headers() seeds every response's headers before any hook runs, so the CORS plugin's
  // preflight answer (returned from its own onRequest, ahead of ours) carries them too.
  return new Elysia({ name: 'request-guards' })
    .headers(SECURITY_HEADERS)
    .onRequest(async ({ request, set, server }) => {
      const incoming = request.headers.get('x-request-id');
      const headers = set.headers as Record<string, string>;
      headers['x-request-id'] = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
      if (request.method === 'OPTIONS') return;
      if (!isTrustedHost(request.headers.get('host'), trustedHosts)) {
        return errorResponse(headers, 'invalid_host', 'Invalid host header');
      }
      // Before the body is parsed and before any route runs; a token changes nothing here.
      const refusal = crossSiteRefusal(request, allowedOrigins);
      if (refusal) return errorResponse(headers, refusal.code, refusal.message, refusal.details);
      let pathname: string;
      try {
        pathname = new URL(request.url).pathname;
      } catch {
        // A Host the URL parser refuses leaves the request without a usable URL.
        return errorResponse(headers, 'invalid_host', 'Invalid host header');
      }
      // A body declared larger than the route takes is refused before a byte of it is read.
      const limit = bodyLimitFor(pathname);
      if (Number(request.headers.get('content-length') ?? 0) > limit)
        return errorResponse(headers, 'payload_too_large', `Request body exceeds ${limit} bytes`, {
          limit_bytes: limit,
        });
      const client = clientAddress(server?.requestIP(request)?.address, request.headers, trustedProxies);
      // The token first: requests refused for it are the lockout's to count (a wrong token) or cost nothing (none).
      if (apiToken && pathname.startsWith('/api') && !OPEN_PATHS.has(pathname)) {
        const lockedFor = await authLockout.lockedFor(client);
        if (lockedFor > 0) {
          return errorResponse(
            headers,
            'rate_limit_exceeded',
            'Too many failed authentication attempts. Try again later.',
            { retry_after_seconds: lockedFor },
            { 'retry-after': String(lockedFor) },
          );
        }
        const authorization = request.headers.get('authorization');
        if (!hasValidToken(authorization, apiToken)) {
          // Without the header it is no guess at the token: any page can make a browser send such a request,
          // and counting it let a foreign page lock the user out of their own server.
          if (authorization !== null) await authLockout.fail(client);
          return errorResponse(headers, 'unauthorized', 'Missing or invalid bearer token', undefined, {
            'www-authenticate': 'Bearer',
          });
        }
      }
      // A read another site's page made the browser send (an image, a no-cors fetch) cannot see its answer; charged
      // to the client's address, it spent the user's own budget (60 such requests kept their chats out for a minute).
      // Such reads have a budget of their own beside it: the headers that mark them are the client's to send.
      const bucket = isForeignRead(request, allowedOrigins) ? `${client} foreign` : client;
      const decision = await rateLimiter.check(bucket, pathname);
      if (!decision.allowed) {
        return errorResponse(
          headers,
          'rate_limit_exceeded',
          'Rate limit exceeded. Try again later.',
          { limit: decision.limit, window_seconds: 60, retry_after_seconds: decision.retryAfterSeconds },
          { 'retry-after': String(decision.retryAfterSeconds) },
        );
      }
    });
}
