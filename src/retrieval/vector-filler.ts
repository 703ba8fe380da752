// The vectors of one indexing pass: chunk texts missing from the embedding cache, embedded in slices, lengths checked.
import { type EmbeddingIdentity, embeddingErrorText } from './embedding-client';
import type { RetrievalDomain } from './retrieval-search';
import type { RetrievalStore } from './retrieval-store.port';

export interface IndexerEmbedder {
  identity: EmbeddingIdentity;
  embed(texts: string[]): Promise<Float32Array[]>;
}

/** What a pass reports of its embedding (the indexer's SyncResult carries these fields). */
export interface EmbeddingTally {
  embeddedTexts: number;
  embeddingError: string | null;
  embeddingMs?: number;
}

export interface VectorFiller {
  /** Embeds and caches the texts (by text hash) without a cached vector; nothing more once the pass met a failure. */
  fill(texts: Map<string, string>): Promise<void>;
  /** The length of the vectors this pass embedded (0 when none). */
  dims(): number;
}

/** Texts per embedding call and cache write during a build (the client batches requests further). */
const EMBED_SLICE = 1024;

/** The error of vectors unlike the index's, with what takes a new length on. */
export const lengthMismatch = (length: number, expected: number) =>
  `embedding has ${length} dimensions, the index's vectors ${expected} (POST /api/retrieval/reindex takes a new length on)`;

/** The dimensions of any stored vector of the domain (0 when there is none). */
export function probeDims(store: RetrievalStore, domain: RetrievalDomain): number {
  for (const [, vector] of store.iterateVectors(domain)) return vector.length;
  return 0;
}

export function createVectorFiller(
  store: RetrievalStore,
  domain: RetrievalDomain,
  embedder: IndexerEmbedder | null,
  canEmbed: boolean,
  nowMs: number,
  tally: EmbeddingTally,
): VectorFiller {
  let dims = 0;
  // A length unlike the domain's vectors would stay cached for good: it fails the pass (read at the first answer).
  let domainDims: number | undefined;
  return {
    dims: () => dims,
    async fill(texts) {
      if (!embedder || texts.size === 0) return;
      for (const hash of store.cachedHashes(embedder.identity, [...texts.keys()])) texts.delete(hash);
      if (texts.size === 0 || tally.embeddingError || !canEmbed) return;
      const entries = [...texts];
      // Slices bound the memory of a large first build (100k vectors at once would be gigabytes).
      for (let start = 0; start < entries.length && !tally.embeddingError; start += EMBED_SLICE) {
        const slice = entries.slice(start, start + EMBED_SLICE);
        const started = performance.now();
        let embedded: Float32Array[];
        try {
          embedded = await embedder.embed(slice.map(([, text]) => text));
        } catch (error) {
          tally.embeddingError = embeddingErrorText(error);
          break;
        } finally {
          tally.embeddingMs = (tally.embeddingMs ?? 0) + performance.now() - started;
        }
        const [length, expected] = [embedded[0]?.length ?? 0, (domainDims ??= probeDims(store, domain)) || dims];
        if (expected > 0 && length !== expected) {
          tally.embeddingError = lengthMismatch(length, expected);
          break;
        }
        tally.embeddedTexts += slice.length;
        dims = length || dims;
        store.cacheVectors(
          embedder.identity,
          slice.map(([textHash], index) => ({ textHash, vector: embedded[index]! })),
          nowMs,
        );
      }
    },
  };
}
