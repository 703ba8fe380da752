// An embedding client that asks the replicas' shared cache first and sends the provider only the texts nobody embedded.
import type { Logger } from '../shared/logger';
import type { SharedEmbeddingCache } from './embedding-cache.port';
import type { EmbeddingClient } from './embedding-client';
import { sha256 } from './retrieval-indexer';

/**
 * Wraps `client`: each call looks its texts up by sha256 in `cache`, embeds only the misses, and stores
 * them for the other replicas. The cache is an optimisation: when it cannot be read or written the call
 * goes to the provider as if it were empty (logged), never failing because of it.
 */
export function withSharedEmbeddingCache(
  client: EmbeddingClient,
  cache: SharedEmbeddingCache,
  logger: Logger,
): EmbeddingClient {
  const identity = client.identity;
  if (!identity) return client;
  return {
    identity,
    async embed(texts) {
      const hashes = texts.map(sha256);
      let found = new Map<string, Float32Array>();
      try {
        found = await cache.get(identity, [...new Set(hashes)]);
      } catch (error) {
        logger.warn('shared embedding cache not read; embedding every text', { error: String(error) });
      }
      const missing = [...new Set(hashes.filter((hash) => !found.has(hash)))];
      if (missing.length > 0) {
        const textOf = new Map(hashes.map((hash, index) => [hash, texts[index]!]));
        const vectors = await client.embed(missing.map((hash) => textOf.get(hash)!));
        const entries = missing.map((textHash, index) => ({ textHash, vector: vectors[index]! }));
        for (const entry of entries) found.set(entry.textHash, entry.vector);
        await cache.put(identity, entries).catch((error: unknown) => {
          logger.warn('shared embedding cache not written', { error: String(error) });
        });
      }
      return hashes.map((hash) => found.get(hash)!);
    },
  };
}
