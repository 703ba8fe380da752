// The retrieval domain's storage port: one agent's index (sources, chunks, keyword index, vectors, embedding cache).
import type { EmbeddingIdentity } from './embedding-client';
import type { ChunkRecord, IndexMeta, SourceRecord, StoredChunk } from './retrieval-records';
import type { RetrievalDomain } from './retrieval-search';

/**
 * An agent's index. Unlike the other ports this one is synchronous: the index is derived data, kept
 * beside each replica and rebuilt from the agent's files (issue 17 keeps it per replica, with only
 * the embedding cache possibly shared); keyword search, the vector scan's shortlist and the indexer's
 * batches run in tight synchronous loops where a promise per call would cost more than the query.
 * Adapters: SQLite (FTS5) and the JSON engine (an in-memory SQLite loaded from and saved to a file).
 */
export interface RetrievalStore {
  meta(domain: RetrievalDomain): IndexMeta | null;
  setMeta(domain: RetrievalDomain, meta: IndexMeta): void;
  sources(domain: RetrievalDomain): SourceRecord[];
  /** Replaces a source's chunks (and their FTS rows) in one transaction. Returns the removed and added chunk ids. */
  replaceSource(
    domain: RetrievalDomain,
    source: SourceRecord,
    chunks: ChunkRecord[],
    nowMs: number,
  ): { removed: number[]; added: number[] };
  /** Runs `work` in one transaction (many sources at once are far faster than one transaction each). */
  batch(work: () => void): void;
  /** Refreshes size and mtime of a source whose content did not change. */
  touchSource(domain: RetrievalDomain, source: SourceRecord): void;
  /** Removes a source and its chunks; returns the removed chunk ids. */
  deleteSource(domain: RetrievalDomain, path: string): number[];
  clearDomain(domain: RetrievalDomain): void;
  /**
   * Chunks whose text has no vector for the store's identity (all of them when it is null), in id order: every one, or
   * with `page` at most `limit` of those after chunk `afterId`.
   */
  chunksWithoutVectors(
    domain: RetrievalDomain,
    page?: { afterId: number; limit: number },
  ): { id: number; text: string; textHash: string }[];
  /** Drops cached vectors that no chunk of the store's identity uses (after a rebuild). */
  pruneCache(): void;
  cachedVectors(identity: EmbeddingIdentity, textHashes: string[]): Map<string, Float32Array>;
  /** Which of `textHashes` have a cached vector (without reading the vectors). */
  cachedHashes(identity: EmbeddingIdentity, textHashes: string[]): Set<string>;
  cacheVectors(identity: EmbeddingIdentity, entries: { textHash: string; vector: Float32Array }[], nowMs: number): void;
  counts(domain: RetrievalDomain): { sources: number; chunks: number; vectors: number };
  /** FTS5 match ranked by bm25 (lower is better, as SQLite returns it). Invalid queries give no rows. */
  keywordSearch(domain: RetrievalDomain, ftsQuery: string, limit: number): { id: number; bm25: number }[];
  /** The vectors of chunks `ids` under the store's identity. */
  vectorsOf(ids: number[]): Map<number, Float32Array>;
  /** Every vector of the domain, in chunk id order, streamed (never all in memory at once). */
  iterateVectors(domain: RetrievalDomain): Generator<[number, Float32Array]>;
  /** The next `limit` vectors of the domain after chunk id `afterId`, in chunk id order (a page of `iterateVectors`). */
  vectorsAfter(domain: RetrievalDomain, afterId: number, limit: number): [number, Float32Array][];
  chunksByIds(ids: number[]): Map<number, StoredChunk>;
}

/** Bulk mode for a large build: fewer syncs to disk while it lasts (see sqlite/open-index.ts). */
export interface BulkWrites {
  begin(): void;
  end(): void;
}

/** An agent's index as opened: its store, the engine's bulk mode (SQLite only), how to persist (JSON only) and close. */
export interface IndexStorage {
  readonly store: RetrievalStore;
  readonly bulkWrites?: BulkWrites;
  /** Writes the index where the engine keeps it between runs (the JSON file; nothing for SQLite, which writes as it goes). */
  persist(): void;
  /** Whether `error` says the index's file is damaged (a disk fault), so it should be discarded and rebuilt. */
  isDamaged(error: unknown): boolean;
  close(): void;
  /** Closes the index and deletes what it keeps on disk: it is derived, and the indexer fills a new one from the files. */
  discard(): void;
}

/** Opens the index of `engine` at `path`; chunk vectors are those of `identity` (null: keyword-only). */
export type OpenIndexStorage = (
  engine: 'sqlite' | 'json',
  path: string,
  identity: EmbeddingIdentity | null,
) => IndexStorage;
