// Turns every failure into `{error:{code,message,details?,request_id}}`: ours, Elysia's, and anything unexpected.
import { Elysia } from 'elysia';
import { AppError, ERROR_STATUS, validationErrors, type ErrorCode } from '../shared/app-error';
import type { Logger } from '../shared/logger';
import { redactSecrets } from '../shared/redact';
import { storageFaultError } from '../shared/storage-fault';
import { toValidationItems } from './validation-items';

type Headers = Record<string, string | number>;

/**
 * Items a 422 lists at most, as Elysia's schema checks give them; the message's `(and N more)` counts them all. Our own
 * checks (config keys, unsafe keys, lone surrogates) listed every one: 500,000 bad strings in a 5 MiB body came back
 * as a 78 MB answer, its serialising alone holding the server thread 2 s.
 */
export const MAX_VALIDATION_ITEMS = 64;

/** `details` with its `items` cut to the first `MAX_VALIDATION_ITEMS`. */
function boundedDetails(details: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const items = details?.items;
  if (!Array.isArray(items) || items.length <= MAX_VALIDATION_ITEMS) return details;
  return { ...details, items: items.slice(0, MAX_VALIDATION_ITEMS) };
}

/** A JSON error response carrying the headers already set for this request (CORS, security, request id). */
export function errorResponse(
  headers: Headers,
  code: ErrorCode,
  message: string,
  details?: Record<string, unknown>,
  extraHeaders: Record<string, string> = {},
): Response {
  const requestId = String(headers['x-request-id'] ?? '');
  const error: Record<string, unknown> = { code, message };
  if (details && Object.keys(details).length > 0) error.details = details;
  error.request_id = requestId;
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) merged[key] = String(value);
  Object.assign(merged, extraHeaders, { 'content-type': 'application/json; charset=utf-8' });
  return new Response(JSON.stringify({ error }), { status: ERROR_STATUS[code], headers: merged });
}

export interface ErrorEnvelopeDeps {
  logger: Logger;
  /** The data folder: a full or unwritable one answers 507 / 503 naming the folder relative to it. */
  dataDir: string;
  /** Methods that exist for a path, to tell 405 from 404. */
  allowedMethods(pathname: string): string[];
}

/** The global error plugin. Register it before every route. */
export function errorEnvelope({ logger, dataDir, allowedMethods }: ErrorEnvelopeDeps) {
  return new Elysia({ name: 'error-envelope' }).onError({ as: 'global' }, ({ code, error, set, request }) => {
    const headers = set.headers as Headers;
    // Elysia wraps what a parse hook throws; unwrap our own errors (413, malformed JSON from body-parser.ts).
    const own = error instanceof AppError ? error : (error as { cause?: unknown })?.cause;
    if (own instanceof AppError) return errorResponse(headers, own.code, own.message, boundedDetails(own.details));
    if (code === 'VALIDATION') {
      const validation = error as unknown as {
        type: string;
        all: { path: string; message: string; type: number; value?: unknown }[];
      };
      if (validation.type === 'response') {
        logger.error('response failed its schema', { url: request.url, errors: validation.all.slice(0, 5) });
        return errorResponse(headers, 'internal_error', 'Internal server error');
      }
      const failure = validationErrors(
        toValidationItems(validation.type, validation.all, new URL(request.url).searchParams),
      );
      return errorResponse(headers, failure.code, failure.message, failure.details);
    }
    if (code === 'PARSE') return errorResponse(headers, 'invalid_json', 'Malformed request body');
    if (code === 'NOT_FOUND') {
      const pathname = new URL(request.url).pathname;
      const methods = allowedMethods(pathname);
      if (methods.length > 0 && !methods.includes(request.method)) {
        return errorResponse(
          headers,
          'method_not_allowed',
          `Method ${request.method} not allowed`,
          { allow: methods },
          {
            allow: methods.join(', '),
          },
        );
      }
      return errorResponse(headers, 'not_found', `No route for ${request.method} ${pathname}`);
    }
    const requestId = String(headers['x-request-id'] ?? '');
    const storage = storageFaultError(error, dataDir);
    if (storage) {
      logger.error('storage fault', {
        request_id: requestId,
        url: request.url,
        code: storage.code,
        error: redactSecrets(String(error)),
      });
      return errorResponse(headers, storage.code, storage.message, storage.details);
    }
    logger.error('unhandled error', {
      request_id: requestId,
      url: request.url,
      error: redactSecrets(error instanceof Error ? `${error.stack ?? error.message}` : String(error)),
    });
    return errorResponse(headers, 'internal_error', 'Internal server error');
  });
}
