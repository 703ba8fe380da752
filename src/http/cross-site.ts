// Refuses state-changing requests another site could send without a CORS preflight: foreign origins, non-JSON bodies.
import type { ErrorCode } from '../shared/app-error';

/** Methods that only read; CORS itself keeps their answers from a foreign page. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface CrossSiteRefusal {
  code: Extract<ErrorCode, 'origin_not_allowed' | 'unsupported_media_type'>;
  message: string;
  details: Record<string, unknown>;
}

/**
 * True for `application/json` with any parameters (`; charset=utf-8`), in any case. Structured-suffix
 * types (`application/merge-patch+json` and the like) are not accepted: the API implements none of
 * their semantics, so taking them as plain JSON would only mislead.
 */
export function isJsonContentType(contentType: string | null | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/** True when `origin` (`http` or `https`) names the host and port of the request's own Host header. */
export function isOwnOrigin(origin: string, hostHeader: string | null): boolean {
  if (!hostHeader) return false;
  try {
    const parsed = new URL(origin);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
    // Both sides normalised by the same parser, so `Host: localhost:80` matches `http://localhost`.
    return new URL(`${parsed.protocol}//${hostHeader.trim()}`).host === parsed.host;
  } catch {
    // An origin or Host the URL parser refuses is never the server's own.
    return false;
  }
}

/** An origin is allowed when it is listed (exactly, or the list holds `*`) or is the server's own. `null` never is. */
export function isAllowedOrigin(origin: string, hostHeader: string | null, allowedOrigins: readonly string[]): boolean {
  if (origin === 'null') return false;
  return allowedOrigins.includes('*') || allowedOrigins.includes(origin) || isOwnOrigin(origin, hostHeader);
}

/** Whether the request carries a body: a length other than zero, or a chunked transfer. */
function hasBody(headers: Headers): boolean {
  const length = headers.get('content-length');
  return headers.has('transfer-encoding') || (length !== null && length.trim() !== '0');
}

/**
 * Why a request must be refused before any route runs, or null. For methods other than GET, HEAD and
 * OPTIONS: an `Origin` that is neither allowed nor the server's own (`null` included), or
 * `Sec-Fetch-Site: cross-site` without an allowed origin, is 403 `origin_not_allowed`; a body that is
 * not `application/json` is 415 `unsupported_media_type` (forms and `text/plain` are exactly what a
 * page may send elsewhere without a preflight). Requests without `Origin` (curl, SDKs) pass.
 */
export function crossSiteRefusal(request: Request, allowedOrigins: readonly string[]): CrossSiteRefusal | null {
  if (SAFE_METHODS.has(request.method)) return null;
  const headers = request.headers;
  const origin = headers.get('origin');
  const allowed = origin !== null && isAllowedOrigin(origin, headers.get('host'), allowedOrigins);
  if (origin !== null && !allowed) {
    return {
      code: 'origin_not_allowed',
      message: `Cross-site request refused: origin ${origin} is not allowed`,
      details: { origin },
    };
  }
  const fetchSite = headers.get('sec-fetch-site');
  if (!allowed && fetchSite?.trim().toLowerCase() === 'cross-site') {
    return {
      code: 'origin_not_allowed',
      message: 'Cross-site request refused: no allowed origin',
      details: { sec_fetch_site: 'cross-site' },
    };
  }
  const contentType = headers.get('content-type');
  if (hasBody(headers) && !isJsonContentType(contentType)) {
    return {
      code: 'unsupported_media_type',
      message: `Request body must be application/json, got ${contentType ?? 'no content type'}`,
      details: { content_type: contentType },
    };
  }
  return null;
}

/**
 * A read (GET, HEAD) a page of another site made the browser send: `Sec-Fetch-Site: cross-site` or an `Origin`
 * that is not allowed. It is answered (CORS keeps the answer from that page) and charged to a rate-limit budget of
 * its own, not the client's.
 */
export function isForeignRead(request: Request, allowedOrigins: readonly string[]): boolean {
  if (!SAFE_METHODS.has(request.method)) return false;
  const headers = request.headers;
  const origin = headers.get('origin');
  if (origin !== null) return !isAllowedOrigin(origin, headers.get('host'), allowedOrigins);
  return headers.get('sec-fetch-site')?.trim().toLowerCase() === 'cross-site';
}
