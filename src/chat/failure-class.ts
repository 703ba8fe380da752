// Sorts a failed model call into the classes a route falls back on: timeout, rate limit, server, network, auth, other.
import type { FallbackReason } from '../config';
import { incompleteStreamOf } from './model-stream-guard';

/** `aborted`: the caller gave up (agent deleted, run cancelled): no verdict on the provider. */
export type FailureClass = FallbackReason | 'other' | 'aborted';

/** Node's and Bun's codes for a connection that could not be made or broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_SOCKET',
  'ConnectionRefused',
  'ConnectionClosed',
  'FailedToOpenSocket',
]);

function ofStatus(status: number): FailureClass {
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limit';
  if (status === 401 || status === 403) return 'auth_error';
  if (status >= 500) return 'server_error';
  return 'other';
}

/** The class of one error of the chain (null when it says nothing). */
function classOfLink(error: object): FailureClass | null {
  const typed = error as { name?: unknown; status?: unknown; code?: unknown; constructor?: { name?: string } };
  const name = typeof typed.name === 'string' ? typed.name : '';
  const kind = typed.constructor?.name ?? '';
  if (name === 'TimeoutError' || kind === 'APIConnectionTimeoutError') return 'timeout';
  if (name === 'AbortError' || kind === 'APIUserAbortError') return 'aborted';
  if (typeof typed.status === 'number') return ofStatus(typed.status);
  if (kind === 'APIConnectionError' || name === 'APIConnectionError') return 'network_error';
  if (typeof typed.code === 'string' && NETWORK_CODES.has(typed.code)) return 'network_error';
  return null;
}

/**
 * The class of a failed model call. LangChain and LangGraph wrap the provider's error (as `cause`), so
 * the chain is followed; a stream that broke or ended before its finish_reason is a network failure.
 * `signal` aborted means the caller stopped it, whatever the error says.
 */
export function classifyFailure(error: unknown, signal?: AbortSignal): FailureClass {
  if (signal?.aborted) return 'aborted';
  if (incompleteStreamOf(error)) return 'network_error';
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
    const found = classOfLink(current);
    if (found) return found;
    current = (current as { cause?: unknown }).cause;
  }
  return 'other';
}
