// Reading an embedding provider's answer: its failures (classified, explained) and its JSON, bounded in size.
import { jsonField } from '../shared/json-field';
import { readCapped } from '../shared/read-capped';
import { errorMessageOf } from '../shared/redact';

/** What kind of failure an embedding call met (the classes a route falls back on, or `other`). */
export type EmbeddingFailure = 'timeout' | 'rate_limit' | 'server_error' | 'network_error' | 'auth_error' | 'other';

/** A failed embedding call; its message is masked and cut to `MAX_ERROR_CHARS` like a chat provider's. */
export class EmbeddingError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly failure: EmbeddingFailure = 'other',
    /** The provider's HTTP status, when it answered. */
    readonly status?: number,
  ) {
    super(errorMessageOf(message));
    this.name = 'EmbeddingError';
  }
}

/** The text to log or show for an embedding failure: an `EmbeddingError`'s (already cut), anything else cut here. */
export function embeddingErrorText(error: unknown): string {
  return error instanceof EmbeddingError ? error.message : errorMessageOf(error);
}

/** Most of an error body read: enough for any provider's explanation, not a whole page held in memory. */
const MAX_ERROR_BODY_CHARS = 256 * 1024;

/** The provider's explanation of a failed call: `error.message` of a JSON body, else the body's text. */
export async function providerErrorText(response: Response): Promise<string> {
  let text = '';
  try {
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    while (reader && text.length < MAX_ERROR_BODY_CHARS) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    await reader?.cancel();
  } catch {
    // A body that breaks off explains nothing more: the status alone is reported.
  }
  try {
    const parsed: unknown = JSON.parse(text);
    const error = jsonField(parsed, 'error');
    const message = typeof error === 'string' ? error : jsonField(error, 'message');
    if (typeof message === 'string') return message.trim();
  } catch {
    // Not JSON (a proxy's page, plain text): the text itself.
  }
  return text.trim();
}

export function failureOfStatus(status: number): EmbeddingFailure {
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limit';
  if (status === 401 || status === 403) return 'auth_error';
  return status >= 500 ? 'server_error' : 'other';
}

/** Bytes an answer may have per text sent (a vector of 16,384 numbers in JSON is about 330 KB), plus one such share. */
export const MAX_ANSWER_BYTES_PER_TEXT = 1024 * 1024;

/**
 * The answer's JSON (null when it is not JSON), read as it streams: a provider or proxy sending far more than vectors
 * for the texts sent (a million vectors, a vector of millions of numbers) is cut off there, not held whole in memory.
 * A body that breaks off (the request's time limit, a reset) fails like the request itself, so it is retried.
 */
export async function answerJson(response: Response, texts: number): Promise<unknown> {
  const limit = (texts + 1) * MAX_ANSWER_BYTES_PER_TEXT;
  let read: { body: Uint8Array; cut: boolean };
  try {
    read = await readCapped(response, limit);
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    throw new EmbeddingError(
      `embedding answer broke off: ${String(error)}`,
      true,
      timedOut ? 'timeout' : 'network_error',
    );
  }
  if (read.cut) throw new EmbeddingError(`embedding answer is over ${limit} bytes for ${texts} texts`, false);
  try {
    return JSON.parse(new TextDecoder().decode(read.body));
  } catch {
    // Not JSON: reported as an answer without its list.
    return null;
  }
}
