// Whether and when a failed model call is tried again: server errors and rate limits, honouring Retry-After.

const BASE_DELAY_MS = 500;
/** Client errors a retry cannot fix (bad request, auth, missing model, unprocessable). */
const FINAL_STATUSES = new Set([400, 401, 402, 403, 404, 422]);

/** The provider's error: LangChain middleware wraps it (`MiddlewareError`) with the original as `cause`. */
export function providerError(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5; depth++) {
    const typed = current as { status?: unknown; cause?: unknown } | null;
    if (!typed || typeof typed !== 'object' || typeof typed.status === 'number' || typed.cause === undefined)
      return current;
    current = typed.cause;
  }
  return current;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** The Retry-After header of an error's `headers` (a Headers object or a plain record), if any. */
export function retryAfterHeader(headers: unknown): string | undefined {
  const raw =
    headers instanceof Headers
      ? headers.get('retry-after')
      : (headers as Record<string, unknown> | null | undefined)?.['retry-after'];
  return typeof raw === 'string' && raw ? raw : undefined;
}

/** The wait a 429/503 answer asked for, in ms (Retry-After in seconds or as an HTTP date). */
export function retryAfterMs(failure: unknown, nowMs = Date.now()): number | undefined {
  const error = providerError(failure);
  const given = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  if (typeof given === 'number' && Number.isFinite(given) && given >= 0) return given;
  const raw = retryAfterHeader((error as { headers?: unknown } | null)?.headers);
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * The delay before attempt `attempt + 1`, or null when the error must be reported now: a final
 * client error, or a Retry-After longer than the model timeout (waiting would only fail later).
 */
export function retryDelayMs(failure: unknown, attempt: number, timeoutMs: number): number | null {
  const error = providerError(failure);
  const status = statusOf(error);
  if (status !== undefined && FINAL_STATUSES.has(status)) return null;
  const asked = retryAfterMs(error);
  if (asked !== undefined) return asked <= timeoutMs ? asked : null;
  return BASE_DELAY_MS * 2 ** attempt;
}
