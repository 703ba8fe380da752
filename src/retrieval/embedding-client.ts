// Embedding providers behind one client: OpenAI-compatible /embeddings and Google AI Studio, batched, with retries.
import type { EmbeddingSettings } from '../config';
import { jsonField, jsonList } from '../shared/json-field';
import { answerJson, EmbeddingError, failureOfStatus, providerErrorText } from './embedding-answer';
import { toFloat32Vector } from './vector-codes';

export { EmbeddingError, type EmbeddingFailure, embeddingErrorText } from './embedding-answer';

export interface EmbeddingIdentity {
  provider: 'openai' | 'google_ai_studio';
  model: string;
}

export interface EmbeddingClient {
  /** Null when `EMBEDDING_PROVIDER=none` (keyword-only by choice). */
  readonly identity: EmbeddingIdentity | null;
  /** One vector per text, in order. Throws `EmbeddingError` once retries are spent. */
  embed(texts: string[]): Promise<Float32Array[]>;
}

export interface EmbeddingClientOptions {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Inputs per request (default 64). */
  batchSize?: number;
  /** Attempts per batch (default 3); 429, 5xx and network errors are retried with exponential backoff. */
  maxAttempts?: number;
  timeoutMs?: number;
  /** Google AI Studio endpoint root; tests point it at a loopback server. */
  googleBaseUrl?: string;
  /** Extra request headers (an embedding profile's). */
  headers?: Record<string, string>;
  /** The length every vector must have (an embedding profile's `dimensions`); another length fails the call. */
  dimensions?: number;
}

const GOOGLE_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta';

function toVectors(rows: unknown[], expected: number, dimensions?: number): Float32Array[] {
  if (rows.length !== expected)
    throw new EmbeddingError(`embedding count mismatch: sent ${expected}, got ${rows.length}`, false);
  return rows.map((row) => {
    if (!Array.isArray(row) || row.length === 0)
      throw new EmbeddingError('embedding response has an empty or non-list vector', false);
    if (dimensions !== undefined && row.length !== dimensions)
      throw new EmbeddingError(`embedding has ${row.length} dimensions, the profile declares ${dimensions}`, false);
    // A value float32 cannot hold is no number either: one Infinity made its cosine NaN and flattened the vector leg.
    return toFloat32Vector(row);
  });
}

/** Builds the client chosen by `settings.provider`. A missing key makes every call fail (not retried). */
export function createEmbeddingClient(
  settings: EmbeddingSettings,
  options: EmbeddingClientOptions = {},
): EmbeddingClient {
  if (settings.provider === 'none') {
    return {
      identity: null,
      embed: async () => {
        throw new EmbeddingError('embeddings are disabled (EMBEDDING_PROVIDER=none)', false);
      },
    };
  }
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => Bun.sleep(ms));
  const batchSize = Math.max(1, options.batchSize ?? 64);
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const timeoutMs = options.timeoutMs ?? 20_000;
  const google = settings.provider === 'google_ai_studio';
  const googleModel = settings.googleModel.startsWith('models/')
    ? settings.googleModel
    : `models/${settings.googleModel}`;
  const identity: EmbeddingIdentity = google
    ? { provider: 'google_ai_studio', model: googleModel }
    : { provider: 'openai', model: settings.model };

  const request = async (texts: string[]): Promise<Float32Array[]> => {
    const key = google ? settings.googleApiKey : settings.apiKey;
    if (!key)
      throw new EmbeddingError(
        google ? 'GOOGLE_API_KEY is not set' : 'EMBEDDING_API_KEY (or OPENAI_API_KEY) is not set',
        false,
      );
    const url = google
      ? `${(options.googleBaseUrl ?? GOOGLE_BASE_URL).replace(/\/+$/, '')}/${googleModel}:batchEmbedContents`
      : `${settings.baseUrl.replace(/\/+$/, '')}/embeddings`;
    // The Google key travels in a header, never in the URL, so it cannot leak into logs or proxies.
    const headers: Record<string, string> = google
      ? { 'content-type': 'application/json', 'x-goog-api-key': key }
      : { ...options.headers, 'content-type': 'application/json', authorization: `Bearer ${key}` };
    const body = google
      ? { requests: texts.map((text) => ({ model: googleModel, content: { parts: [{ text }] } })) }
      : { model: settings.model, input: texts };
    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new EmbeddingError(
        `embedding request failed: ${String(error)}`,
        true,
        timedOut ? 'timeout' : 'network_error',
      );
    }
    if (!response.ok) {
      const explanation = await providerErrorText(response);
      throw new EmbeddingError(
        `embedding server answered ${response.status}${explanation ? `: ${explanation}` : ''}`,
        response.status === 429 || response.status >= 500,
        failureOfStatus(response.status),
        response.status,
      );
    }
    const json = await answerJson(response, texts.length);
    if (google) {
      const embeddings = jsonList(json, 'embeddings');
      if (!embeddings) throw new EmbeddingError('embedding response has no embeddings list', false);
      return toVectors(
        embeddings.map((row) => jsonField(row, 'values')),
        texts.length,
      );
    }
    const data = jsonList(json, 'data');
    if (!data) throw new EmbeddingError('embedding response has no data list', false);
    const rows = data.length === 1 ? data : inIndexOrder(data);
    if (!rows) throw new MislabelledAnswer(texts.length);
    return toVectors(
      rows.map((row) => jsonField(row, 'embedding')),
      texts.length,
      options.dimensions,
    );
  };

  const withRetries = async (texts: string[]): Promise<Float32Array[]> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request(texts);
      } catch (error) {
        const retryable = error instanceof EmbeddingError ? error.retryable : true;
        if (!retryable || attempt >= maxAttempts) throw error;
        await sleep(250 * 2 ** (attempt - 1));
      }
    }
  };

  return {
    identity,
    async embed(texts) {
      const vectors: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += batchSize) {
        const batch = texts.slice(start, start + batchSize);
        try {
          vectors.push(...(await withRetries(batch)));
        } catch (error) {
          if (!(error instanceof MislabelledAnswer)) throw error;
          // Asked one text at a time, an answer of one vector cannot give it to another text.
          for (const text of batch) vectors.push(...(await withRetries([text])));
        }
      }
      // One answer's vectors all of one length (the index's own vectors are checked by the indexer).
      const odd = vectors.find((vector) => vector.length !== vectors[0]!.length);
      if (odd)
        throw new EmbeddingError(
          `embedding has ${odd.length} dimensions, others of the answer ${vectors[0]!.length}`,
          false,
        );
      return vectors;
    },
  };
}

/**
 * An answer whose rows' `index` labels cannot be right for the texts sent. Which vector is whose is then unknown:
 * proxies that relabel seen so far (LiteLLM's cache merging cached and new inputs of a batch: 0, 1, 0 or 0, 1, 1,
 * sometimes with the vectors themselves in the wrong places) answer one text at a time correctly.
 */
class MislabelledAnswer extends EmbeddingError {
  constructor(texts: number) {
    super(`embedding answer's index labels are not 0 to ${texts - 1}, each once`, false);
  }
}

/**
 * The rows of an OpenAI-style answer in the order of the texts sent: placed by their `index` labels, which must be
 * 0 to n-1 each once (a provider may answer out of order; sorting by labels that repeat or skip gave texts vectors
 * that were not theirs), or null when they are not. Rows without any label (or all null) keep the list's order.
 */
function inIndexOrder(rows: readonly unknown[]): unknown[] | null {
  const indexes = rows.map((row) => jsonField(row, 'index'));
  // A label written out as null is none either (a server's optional field serialized empty).
  if (indexes.every((index) => index === undefined || index === null)) return [...rows];
  const ordered: unknown[] = new Array(rows.length);
  for (let at = 0; at < rows.length; at++) {
    const index = indexes[at];
    if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= rows.length) return null;
    if (ordered[index as number] !== undefined) return null;
    ordered[index as number] = rows[at];
  }
  return ordered;
}
