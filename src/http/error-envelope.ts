// Turns every failure into `{error:{code,message,details?,request_id}}`; parses JSON bodies with size limits.
import { Elysia } from 'elysia';
import { AppError, ERROR_STATUS, validationError, validationErrors, type ErrorCode } from '../shared/app-error';
import type { Logger } from '../shared/logger';
import { redactSecrets } from '../shared/redact';
import { isJsonContentType } from './cross-site';
import { storageFaultError } from '../shared/storage-fault';
import { toValidationItems } from './validation-items';

export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_FILE_BODY_BYTES = 5 * 1024 * 1024;

type Headers = Record<string, string | number>;

/** The body size a path accepts: file writes take 5 MiB, everything else 1 MiB. */
export function bodyLimitFor(pathname: string): number {
  return pathname === '/api/files' ? MAX_FILE_BODY_BYTES : MAX_BODY_BYTES;
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

async function readLimited(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? 'NaN');
  if (declared > limit) throw new AppError('payload_too_large', `Request body exceeds ${limit} bytes`, { limit_bytes: limit });
  if (!request.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) throw new AppError('payload_too_large', `Request body exceeds ${limit} bytes`, { limit_bytes: limit });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const MAX_JSON_DEPTH = 64;

/** The deepest `[`/`{` nesting of a JSON text (brackets inside strings ignored). */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 92) index++; // backslash: skip the escaped character
      else if (char === 34) inString = false;
    } else if (char === 34) inString = true;
    else if (char === 91 || char === 123) deepest = Math.max(deepest, ++depth);
    else if (char === 93 || char === 125) depth--;
  }
  return deepest;
}

export interface ErrorEnvelopeDeps {
  logger: Logger;
  /** The data folder: a full or unwritable one answers 507 / 503 naming the folder relative to it. */
  dataDir: string;
  /** Methods that exist for a path, to tell 405 from 404. */
  allowedMethods(pathname: string): string[];
}

/** The global error and body-parsing plugin. Register it before every route. */
export function errorEnvelope({ logger, dataDir, allowedMethods }: ErrorEnvelopeDeps) {
  return new Elysia({ name: 'error-envelope' })
    .onParse({ as: 'global' }, async ({ request, contentType }) => {
      const pathname = new URL(request.url).pathname;
      const text = await readLimited(request, bodyLimitFor(pathname));
      if (text.trim() === '') return null;
      // The request guards refuse such bodies on every state-changing method already; this covers the rest.
      if (contentType && !isJsonContentType(contentType)) {
        throw new AppError('unsupported_media_type', `Request body must be application/json, got ${contentType}`, { content_type: contentType });
      }
      // No API body nests deeper than a few levels; very deep JSON would only exhaust the validator's stack.
      if (nestingDepth(text) > MAX_JSON_DEPTH) {
        throw validationError('', `JSON nests deeper than ${MAX_JSON_DEPTH} levels`, 'too_deep');
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new AppError('invalid_json', 'Malformed JSON body', { reason: (error as Error).message });
      }
      // Every body in the API is an object (or absent). Refuse others here: Elysia's normalising
      // would otherwise turn "abc" into {0:'a',…} and 5 into {}, which pass schemas whose fields are optional.
      if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
        throw validationError('', 'Input should be a JSON object', 'dict_type');
      }
      return parsed;
    })
    .onError({ as: 'global' }, ({ code, error, set, request }) => {
      const headers = set.headers as Headers;
      // Elysia wraps what a parse hook throws; unwrap our own errors (413, malformed JSON).
      const own = error instanceof AppError ? error : (error as { cause?: unknown })?.cause;
      if (own instanceof AppError) return errorResponse(headers, own.code, own.message, own.details);
      if (code === 'VALIDATION') {
        const validation = error as unknown as { type: string; all: { path: string; message: string; type: number; value?: unknown }[] };
        if (validation.type === 'response') {
          logger.error('response failed its schema', { url: request.url, errors: validation.all.slice(0, 5) });
          return errorResponse(headers, 'internal_error', 'Internal server error');
        }
        const failure = validationErrors(toValidationItems(validation.type, validation.all, new URL(request.url).searchParams));
        return errorResponse(headers, failure.code, failure.message, failure.details);
      }
      if (code === 'PARSE') return errorResponse(headers, 'invalid_json', 'Malformed request body');
      if (code === 'NOT_FOUND') {
        const pathname = new URL(request.url).pathname;
        const methods = allowedMethods(pathname);
        if (methods.length > 0 && !methods.includes(request.method)) {
          return errorResponse(headers, 'method_not_allowed', `Method ${request.method} not allowed`, { allow: methods }, {
            allow: methods.join(', '),
          });
        }
        return errorResponse(headers, 'not_found', `No route for ${request.method} ${pathname}`);
      }
      const requestId = String(headers['x-request-id'] ?? '');
      const storage = storageFaultError(error, dataDir);
      if (storage) {
        logger.error('storage fault', { request_id: requestId, url: request.url, code: storage.code, error: redactSecrets(String(error)) });
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
