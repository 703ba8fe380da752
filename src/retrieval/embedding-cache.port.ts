// The retrieval domain's shared embedding cache: vectors by text hash, kept where every replica reads them.
import type { EmbeddingIdentity } from './embedding-client';

/**
 * Vectors of texts already embedded, by the sha256 of the text, per embedding identity (provider and
 * model): with several replicas, what one embedded no other embeds again. Each replica's own index
 * still keeps its copy (see RetrievalStore); this cache only saves provider calls.
 */
export interface SharedEmbeddingCache {
  /** The cached vectors of `textHashes` (absent hashes are not in the map). */
  get(identity: EmbeddingIdentity, textHashes: readonly string[]): Promise<Map<string, Float32Array>>;
  /** Stores vectors; a hash already cached keeps its first vector. */
  put(identity: EmbeddingIdentity, entries: readonly { textHash: string; vector: Float32Array }[]): Promise<void>;
}
