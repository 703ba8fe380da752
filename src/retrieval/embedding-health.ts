// Whether the embedding provider is usable right now: failures open a cool-down, logged once; recovery logged too.
import type { Clock } from '../shared/clock';
import { within } from '../shared/event-loop';
import type { Logger } from '../shared/logger';
import { type EmbeddingClient, EmbeddingError, type EmbeddingIdentity, embeddingErrorText } from './embedding-client';
import type { IndexerEmbedder } from './retrieval-indexer';

export interface EmbeddingHealth {
  readonly identity: EmbeddingIdentity | null;
  /** The client wrapped so every call updates the health; null when the provider is `none`. */
  readonly embedder: IndexerEmbedder | null;
  /** False when disabled, or within the cool-down after a failure. */
  canEmbed(): boolean;
  /** Ends a cool-down early (operator reindex). */
  resetCooldown(): void;
  /**
   * Asks the provider once when the last failure is older than `sinceMs` (no call since): a reindex whose vectors
   * are all cached makes none of its own, and would report a recovered provider as failing.
   */
  recheck(sinceMs: number): Promise<void>;
  state(): { state: 'ok' | 'degraded' | 'disabled'; lastError: string | null; lastErrorAtMs: number | null };
}

export const EMBEDDING_COOLDOWN_MS = 30_000;
/** How long a reindex waits for its health check before it answers. */
const RECHECK_WAIT_MS = 5_000;
/** The pause after a refused request (4xx other than auth and rate limits). */
export const REFUSAL_COOLDOWN_MS = 5_000;

/** A 4xx answer other than auth and rate limits: about the request sent, not whether the provider works. */
const isRequestRefusal = (error: unknown) =>
  error instanceof EmbeddingError &&
  error.failure === 'other' &&
  error.status !== undefined &&
  error.status >= 400 &&
  error.status < 500;

export function createEmbeddingHealth(
  client: EmbeddingClient,
  clock: Clock,
  logger: Logger,
  cooldownMs = EMBEDDING_COOLDOWN_MS,
  recheckWaitMs = RECHECK_WAIT_MS,
): EmbeddingHealth {
  let failure: { message: string; atMs: number } | null = null;
  let cooldownUntil = 0;
  // Read on first use, not here: a routed client learns its identity from the config the server loads at start.
  let built: { identity: EmbeddingIdentity | null; embedder: IndexerEmbedder | null } | undefined;
  const wrap = (identity: EmbeddingIdentity | null): IndexerEmbedder | null =>
    identity
      ? {
          identity,
          async embed(texts) {
            try {
              const vectors = await client.embed(texts);
              if (failure)
                logger.info('embeddings are available again; retrieval is hybrid', {
                  provider: identity.provider,
                  model: identity.model,
                });
              failure = null;
              cooldownUntil = 0;
              return vectors;
            } catch (error) {
              const message = embeddingErrorText(error);
              // Logged once when search degrades, not on every failing call.
              if (!failure)
                logger.warn('embeddings unavailable; retrieval answers from keywords only', {
                  provider: identity.provider,
                  model: identity.model,
                  error: message,
                });
              failure = { message, atMs: clock.nowMs() };
              // A request the provider refused (a text too long, or a model it does not have) is reported but
              // pauses briefly: the next request may well be fine, yet a refusal each search is not wanted either.
              cooldownUntil = failure.atMs + (isRequestRefusal(error) ? REFUSAL_COOLDOWN_MS : cooldownMs);
              throw error;
            }
          },
        }
      : null;
  const current = () => {
    built ??= { identity: client.identity, embedder: wrap(client.identity) };
    return built;
  };
  return {
    get identity() {
      return current().identity;
    },
    get embedder() {
      return current().embedder;
    },
    canEmbed: () => current().identity !== null && clock.nowMs() >= cooldownUntil,
    resetCooldown() {
      cooldownUntil = 0;
    },
    async recheck(sinceMs) {
      const { embedder } = current();
      if (!failure || failure.atMs >= sinceMs || !embedder) return;
      // A hanging provider does not hold the reindex's answer (its retries take a minute): the check goes on alone.
      await within(
        embedder.embed(['retrieval health check']).catch(() => undefined),
        recheckWaitMs,
        undefined,
      );
    },
    state: () => ({
      state: current().identity === null ? 'disabled' : failure ? 'degraded' : 'ok',
      lastError: failure?.message ?? null,
      lastErrorAtMs: failure?.atMs ?? null,
    }),
  };
}
