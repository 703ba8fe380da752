// Errors across the thread boundary: the cause chain with what retries, fallbacks and incomplete streams read of it.
import { ModelReplyTooLargeError, ModelStreamIncompleteError, type StreamEstimate } from '../model-stream-guard';
import { retryAfterHeader } from '../retry-policy';
import type { WireErrorLink } from './wire';

/** Links of a chain kept (retry-policy and failure-class look at most six deep). */
const MAX_LINKS = 6;
/** A message longer than this is cut: it is for logs and `error` events, which cut again. */
const MAX_MESSAGE_CHARS = 8_000;

type Fields = Record<string, unknown>;

/** The chain of `error` (its `cause`s) in plain form. */
export function toWireError(error: unknown): WireErrorLink[] {
  const chain: WireErrorLink[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < MAX_LINKS && current !== undefined && current !== null; depth++) {
    if (typeof current !== 'object') {
      chain.push({ name: 'Error', message: String(current), kind: 'Error' });
      break;
    }
    const link = current as Fields & { constructor?: { name?: string } };
    const message = typeof link.message === 'string' ? link.message : String(current);
    chain.push({
      name: typeof link.name === 'string' ? link.name : 'Error',
      message: message.length > MAX_MESSAGE_CHARS ? message.slice(0, MAX_MESSAGE_CHARS) : message,
      kind: link.constructor?.name ?? 'Error',
      ...(typeof link.status === 'number' ? { status: link.status } : {}),
      ...(typeof link.code === 'string' ? { code: link.code } : {}),
      ...(retryAfterHeader(link.headers) ? { retryAfter: retryAfterHeader(link.headers) } : {}),
      ...(current instanceof ModelStreamIncompleteError ? { incomplete: { estimate: current.estimate } } : {}),
      ...(current instanceof ModelReplyTooLargeError
        ? { tooLarge: { maxChars: current.maxChars, estimate: current.estimate } }
        : {}),
    });
    current = link.cause;
  }
  return chain;
}

/** An Error whose class is named `kind` (failure-class tells the SDK's connection errors apart by class name). */
function errorOfKind(kind: string, message: string): Error {
  const safe = /^[A-Za-z_$][\w$]{0,80}$/.test(kind) ? kind : 'Error';
  const Named = { [safe]: class extends Error {} }[safe]!;
  return new Named(message);
}

/** The error a chain stands for, rebuilt link by link: same names, classes, statuses, codes, Retry-After and estimates. */
export function fromWireError(chain: WireErrorLink[]): Error {
  let rebuilt: Error | undefined;
  for (const link of [...chain].reverse()) {
    const cause = rebuilt;
    if (link.incomplete) {
      rebuilt = new ModelStreamIncompleteError(link.incomplete.estimate as StreamEstimate, 0, cause ? { cause } : {});
      Object.defineProperty(rebuilt, 'message', { value: link.message });
      continue;
    }
    if (link.tooLarge) {
      rebuilt = new ModelReplyTooLargeError(link.tooLarge.maxChars, link.tooLarge.estimate as StreamEstimate);
      if (cause) rebuilt.cause = cause;
      continue;
    }
    const error = errorOfKind(link.kind, link.message) as Error & Fields;
    Object.defineProperty(error, 'name', { value: link.name, configurable: true, writable: true });
    if (link.status !== undefined) error.status = link.status;
    if (link.code !== undefined) error.code = link.code;
    if (link.retryAfter !== undefined) error.headers = { 'retry-after': link.retryAfter };
    if (cause) error.cause = cause;
    rebuilt = error;
  }
  return rebuilt ?? new Error('The model worker failed without an error.');
}
