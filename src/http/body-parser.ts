// Reads request bodies as JSON objects: size limits per path, a nesting cap, and only `application/json`.
import { Elysia } from 'elysia';
import { AppError, validationError, validationErrors } from '../shared/app-error';
import { loneSurrogatePaths, mayHoldLoneSurrogate } from '../shared/lone-surrogates';
import { assertNoUnsafeKeys } from '../shared/unsafe-keys';
import { pathsWhere } from '../shared/json-paths';
import { isJsonContentType } from './cross-site';
import { isNestedDeeperThan } from '../shared/json-depth';

export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_FILE_BODY_BYTES = 5 * 1024 * 1024;

/** No API body nests deeper than a few levels; very deep JSON would only exhaust the validator's stack. */
const MAX_JSON_DEPTH = 64;

/**
 * No API body has an array or object near this size (the longest list a route takes is 200 paths). Past it, the
 * schema check walked and printed every item of the failing value: 200,000 one-letter paths held the thread
 * 0.1-0.5 s a request, on routes no rate limit covers.
 */
export const MAX_JSON_ITEMS = 10_000;

/** The body size a path accepts: file writes take 5 MiB, everything else 1 MiB. */
export function bodyLimitFor(pathname: string): number {
  return pathname === '/api/files' ? MAX_FILE_BODY_BYTES : MAX_BODY_BYTES;
}

/**
 * The body as UTF-8 text; 413 `payload_too_large` as soon as the streamed size passes `limit` (a declared size past it
 * is refused by the request guards, before any of it is read).
 */
async function readLimited(request: Request, limit: number): Promise<string> {
  if (!request.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit)
      throw new AppError('payload_too_large', `Request body exceeds ${limit} bytes`, { limit_bytes: limit });
    chunks.push(chunk);
  }
  try {
    return UTF8.decode(Buffer.concat(chunks));
  } catch (error) {
    // Decoded with replacement, the bad bytes would be stored as U+FFFD: the client's text, changed unseen.
    throw new AppError('invalid_json', 'Request body is not valid UTF-8', { reason: (error as Error).message });
  }
}

/** Refuses bytes that are not UTF-8 (a byte order mark at the start is dropped). */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The global body parser. An empty body is `null`; otherwise the body must be `application/json` (415),
 * within its path's size limit (413), at most 64 levels deep (422 `too_deep`), well-formed (400
 * `invalid_json`, also for bytes that are not UTF-8), a JSON object (422 `dict_type`), free of `__proto__`,
 * `constructor` and `prototype` keys at any depth (422 `unsafe_key` naming each) and of lone surrogate escapes
 * (422 `invalid_unicode` naming each string). What it throws, Elysia hands to the error envelope
 * wrapped; the envelope unwraps it. Register it after the request guards, which refuse cross-site bodies first.
 */
export function bodyParser() {
  return new Elysia({ name: 'body-parser' }).onParse({ as: 'global' }, async ({ request, contentType }) => {
    const pathname = new URL(request.url).pathname;
    // A compressed body would only reach the JSON parser as bytes it cannot read (gzip was a 400 invalid_json).
    const encoding = request.headers.get('content-encoding')?.trim().toLowerCase();
    if (encoding && encoding !== 'identity')
      throw new AppError(
        'unsupported_media_type',
        `Content-Encoding ${encoding} is not supported; send the body as is`,
        {
          content_encoding: encoding,
        },
      );
    const text = await readLimited(request, bodyLimitFor(pathname));
    if (text.trim() === '') return null;
    // The request guards refuse such bodies on every state-changing method already; this covers the rest.
    if (contentType && !isJsonContentType(contentType)) {
      throw new AppError('unsupported_media_type', `Request body must be application/json, got ${contentType}`, {
        content_type: contentType,
      });
    }
    if (isNestedDeeperThan(text, MAX_JSON_DEPTH)) {
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
    // `__proto__`, `constructor`, `prototype`: no API body has such a key; merged, they would reach prototypes.
    assertNoUnsafeKeys(parsed);
    assertNoHugeCollections(parsed);
    if (mayHoldLoneSurrogate(text)) {
      const paths = loneSurrogatePaths(parsed);
      if (paths.length > 0)
        throw validationErrors(
          paths.map((field) => ({
            field,
            message:
              'Text holds a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff escape), which UTF-8 cannot store',
            code: 'invalid_unicode',
          })),
        );
    }
    return parsed;
  });
}

/** 422 `too_many_items` naming each array or object in `body` with more than `MAX_JSON_ITEMS` items or keys. */
function assertNoHugeCollections(body: unknown): void {
  const sizeOf = (value: unknown) =>
    typeof value !== 'object' || value === null ? 0 : Array.isArray(value) ? value.length : Object.keys(value).length;
  // Kept as the walk meets them, in the order of their paths: a path read again split at its dots would lose its way
  // under a key with a dot in it (`{"a.b": …}`), and the throw made a well-formed body a 400 invalid_json.
  const huge: unknown[] = [];
  const paths = pathsWhere(
    body,
    () => false,
    (value) => sizeOf(value) > MAX_JSON_ITEMS && huge.push(value) > 0,
  );
  if (paths.length === 0) return;
  throw validationErrors(
    paths.map((field, at) => {
      const value = huge[at];
      const size = Array.isArray(value) ? `Array has ${sizeOf(value)} items` : `Object has ${sizeOf(value)} keys`;
      return { field, message: `${size}; no request body takes more than ${MAX_JSON_ITEMS}`, code: 'too_many_items' };
    }),
  );
}
