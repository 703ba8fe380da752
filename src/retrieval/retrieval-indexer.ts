// Incremental indexing of one domain: diff files against stored sources, re-chunk changed files, embed uncached texts.
import { chunkText } from './chunk-text';
import { listDomainFiles, readTextFile, type DomainFile } from './domain-files';
import type { EmbeddingIdentity } from './embedding-client';
import { nextTurn } from '../shared/event-loop';

import type { RetrievalDomain } from './retrieval-search';
import { RETRIEVAL_SCHEMA_VERSION, type ChunkRecord } from './retrieval-records';
import type { BulkWrites, RetrievalStore } from './retrieval-store.port';
import { createVectorFiller, type IndexerEmbedder, probeDims } from './vector-filler';

export interface DomainSettings {
  chunkSize: number;
  chunkOverlap: number;
}

export type { IndexerEmbedder } from './vector-filler';

export interface SyncResult {
  /** True when anything in the index changed (sources, chunks or vectors). */
  changed: boolean;
  rebuilt: boolean;
  indexedSources: number;
  deletedSources: number;
  /** Texts sent to the embedding provider (cache misses). */
  embeddedTexts: number;
  /** Chunks still without a vector after this pass. */
  missingVectors: number;
  /** The embedding failure of this pass, if any (the index is still updated, keyword-searchable). */
  embeddingError: string | null;
  /** Time spent waiting for the embedding provider. */
  embeddingMs?: number;
  /** Chunk ids this pass removed and added (for incremental vector-index updates). */
  removedChunkIds: number[];
  addedChunkIds: number[];
  /** True when chunks that existed before received vectors (the vector index must be rebuilt). */
  filledMissing: boolean;
  /** Files of the domain seen by this pass. */
  files: number;
}

/** Characters of changed files read before they are embedded and written (bounds a pass's memory). */
const SLICE_CHARS = 4 * 1024 * 1024;
/** Chunks without a vector read at a time to be embedded (an earlier pass's failure, or a rebuild). */
export const MISSING_PAGE = 1024;
/** Work between two returns to the event loop, so requests wait about this long at most behind a build. */
const SLICE_MS = 50;

export function sha256(text: string): string {
  return new Bun.CryptoHasher('sha256').update(text).digest('hex');
}

/** What the index was built with; a different digest means the domain is rebuilt. */
export function indexDigest(settings: DomainSettings, identity: EmbeddingIdentity | null): string {
  return sha256(
    JSON.stringify({
      schema_version: RETRIEVAL_SCHEMA_VERSION,
      chunk_size: settings.chunkSize,
      chunk_overlap: settings.chunkOverlap,
      provider: identity?.provider ?? 'none',
      model: identity?.model ?? '',
    }),
  );
}

/**
 * Brings the domain's index up to date with the files. Unchanged files (same size and mtime, or
 * same content hash) are skipped; changed ones are re-chunked and only chunk texts missing from the
 * embedding cache are embedded. Deleted files leave the index. Chunks left without a vector by an
 * earlier failure are embedded again when `embedder` is given. A new digest clears the domain first.
 */
/** The result of a pass that changed nothing. */
export function unchangedSync(): SyncResult {
  return {
    changed: false,
    rebuilt: false,
    indexedSources: 0,
    deletedSources: 0,
    embeddedTexts: 0,
    missingVectors: 0,
    embeddingError: null,
    removedChunkIds: [],
    addedChunkIds: [],
    filledMissing: false,
    files: 0,
  };
}

export interface SyncOptions {
  store: RetrievalStore;
  agentRoot: string;
  domain: RetrievalDomain;
  settings: DomainSettings;
  /** The configured provider (null: keyword-only by choice). Its identity is part of the digest. */
  embedder: IndexerEmbedder | null;
  /** False while the provider is known to be failing: index for keywords now, embed later. */
  canEmbed?: boolean;
  /** Also embed chunks an earlier pass left without a vector. */
  retryMissing?: boolean;
  nowMs: number;
  /** The listing to use instead of reading the folder (benchmarks). */
  files?: DomainFile[];
  /** Begun before the slice that brings a pass to BULK_WRITE_CHUNKS new chunks, ended with the pass. */
  bulkWrites?: BulkWrites;
}

/** New chunks in one pass from which its further writes go through `bulkWrites`. */
export const BULK_WRITE_CHUNKS = 2000;

export async function syncDomain(options: SyncOptions): Promise<SyncResult> {
  const { store, agentRoot, domain, settings, embedder, nowMs, files } = options;
  const canEmbed = options.canEmbed ?? true;
  const retryMissing = options.retryMissing ?? true;
  const result = unchangedSync();
  const identity = embedder?.identity ?? null;
  const digest = indexDigest(settings, identity);
  const meta = store.meta(domain);
  if (meta && meta.digest !== digest) {
    store.clearDomain(domain);
    result.rebuilt = true;
    result.changed = true;
  }
  const current = files ?? (await listDomainFiles(agentRoot, domain));
  result.files = current.length;
  const stored = new Map(store.sources(domain).map((source) => [source.path, source]));
  const seen = new Set(current.map((file) => file.path));
  for (const path of stored.keys()) {
    if (seen.has(path)) continue;
    result.removedChunkIds.push(...store.deleteSource(domain, path));
    result.deletedSources += 1;
    result.changed = true;
  }

  const filler = createVectorFiller(store, domain, embedder, canEmbed, nowMs, result);
  let bulk: BulkWrites | undefined;
  let newChunks = 0;
  // Changed files are read, embedded and written a slice at a time, with a return to the event loop between
  // slices: read whole first, 190 MB of knowledge held 1 GB and the server's thread for 37 s.
  let slice: { file: DomainFile; contentHash: string; chunks: ChunkRecord[] }[] = [];
  let sliceChars = 0;
  let lastTurn = performance.now();
  const flush = async () => {
    newChunks += slice.reduce((count, item) => count + item.chunks.length, 0);
    // A large build writes with the database's bulk mode (see agent-index): far fewer syncs to disk.
    if (!bulk && options.bulkWrites && newChunks >= BULK_WRITE_CHUNKS) {
      bulk = options.bulkWrites;
      bulk.begin();
    }
    const written = slice;
    [slice, sliceChars] = [[], 0];
    // Written before they are embedded: a search answers after 5 s at most, and while a slow provider held the
    // slice's vectors its files were missing from the keyword leg too (up to 3 attempts of 20 s a batch).
    if (written.length > 0)
      store.batch(() => {
        for (const { file, contentHash, chunks } of written) {
          const changes = store.replaceSource(
            domain,
            { path: file.path, contentHash, size: file.size, mtimeMs: file.mtimeMs },
            chunks,
            nowMs,
          );
          result.removedChunkIds.push(...changes.removed);
          result.addedChunkIds.push(...changes.added);
          result.indexedSources += 1;
          result.changed = true;
        }
      });
    await filler.fill(new Map(written.flatMap((item) => item.chunks.map((chunk) => [chunk.textHash, chunk.text]))));
    await nextTurn();
    lastTurn = performance.now();
  };
  try {
    for (const file of current) {
      if (sliceChars >= SLICE_CHARS || performance.now() - lastTurn >= SLICE_MS) await flush();
      const previous = stored.get(file.path);
      if (previous && previous.size === file.size && previous.mtimeMs === file.mtimeMs) continue;
      let text: string | null;
      try {
        text = readTextFile(agentRoot, file.path);
      } catch {
        continue; // Vanished since the listing; the next pass deletes it.
      }
      const contentHash = sha256(text ?? '');
      if (previous && previous.contentHash === contentHash) {
        store.touchSource(domain, { path: file.path, contentHash, size: file.size, mtimeMs: file.mtimeMs });
        continue;
      }
      const chunks =
        text === null ? [] : chunkText(text, settings).map((chunk) => ({ ...chunk, textHash: sha256(chunk.text) }));
      slice.push({ file, contentHash, chunks });
      sliceChars += text?.length ?? 0;
    }
    if (slice.length > 0) await flush();

    if (embedder && canEmbed && !result.embeddingError && (retryMissing || result.rebuilt)) {
      // A page at a time: after an outage over a large build, all the texts without a vector were read at once.
      for (let afterId = 0; ; ) {
        const missing = store.chunksWithoutVectors(domain, { afterId, limit: MISSING_PAGE });
        if (missing.length === 0) break;
        await filler.fill(new Map(missing.map((chunk) => [chunk.textHash, chunk.text])));
        if (result.embeddingError) break;
        result.changed = true;
        result.filledMissing = true;
        afterId = missing.at(-1)!.id;
      }
    }
    // Only a failed or skipped embedding leaves chunks without vectors; count them (a slower join) only then.
    if (embedder && (result.embeddingError || !canEmbed)) {
      const counts = store.counts(domain);
      result.missingVectors = counts.chunks - counts.vectors;
    }
    if (result.changed || !store.meta(domain)) {
      const storedDims = store.meta(domain)?.embeddingDims ?? 0;
      store.setMeta(domain, {
        digest,
        schemaVersion: RETRIEVAL_SCHEMA_VERSION,
        chunkSize: settings.chunkSize,
        chunkOverlap: settings.chunkOverlap,
        embeddingProvider: identity?.provider ?? 'none',
        embeddingModel: identity?.model ?? '',
        embeddingDims: filler.dims() || storedDims || probeDims(store, domain),
        updatedMs: nowMs,
      });
    }
  } finally {
    bulk?.end();
  }
  return result;
}
