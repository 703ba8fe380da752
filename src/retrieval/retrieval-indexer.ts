// Incremental indexing of one domain: diff files against stored sources, re-chunk changed files, embed uncached texts.
import { chunkText } from './chunk-text';
import { listDomainFiles, readTextFile, type DomainFile } from './domain-files';
import { type EmbeddingIdentity, embeddingErrorText } from './embedding-client';

import type { RetrievalDomain } from './retrieval-search';
import { RETRIEVAL_SCHEMA_VERSION, type ChunkRecord } from './retrieval-records';
import type { BulkWrites, RetrievalStore } from './retrieval-store.port';

export interface DomainSettings {
  chunkSize: number;
  chunkOverlap: number;
}

export interface IndexerEmbedder {
  identity: EmbeddingIdentity;
  embed(texts: string[]): Promise<Float32Array[]>;
}

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

/** Texts per embedding call and cache write during a build (the client batches requests further). */
const EMBED_SLICE = 1024;

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
  /** Called around the writes of a pass with at least BULK_WRITE_CHUNKS new chunks. */
  bulkWrites?: BulkWrites;
}

/** New chunks in one pass from which the writes go through `bulkWrites`. */
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
  const current = files ?? listDomainFiles(agentRoot, domain);
  result.files = current.length;
  const stored = new Map(store.sources(domain).map((source) => [source.path, source]));
  const seen = new Set(current.map((file) => file.path));
  for (const path of stored.keys()) {
    if (seen.has(path)) continue;
    result.removedChunkIds.push(...store.deleteSource(domain, path));
    result.deletedSources += 1;
    result.changed = true;
  }

  const pending: { file: DomainFile; contentHash: string; chunks: ChunkRecord[] }[] = [];
  for (const file of current) {
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
    pending.push({ file, contentHash, chunks });
  }

  // A large build writes with the database's bulk mode (see agent-index): far fewer syncs to disk.
  const bulk =
    options.bulkWrites && pending.reduce((count, item) => count + item.chunks.length, 0) >= BULK_WRITE_CHUNKS
      ? options.bulkWrites
      : undefined;
  bulk?.begin();
  try {
    let dims = 0;
    // A length unlike the domain's vectors would stay cached for good: it fails the pass (read at the first answer).
    let domainDims: number | undefined;
    const embedMissing = async (texts: Map<string, string>) => {
      if (!embedder || texts.size === 0) return;
      for (const hash of store.cachedHashes(embedder.identity, [...texts.keys()])) texts.delete(hash);
      if (texts.size === 0 || result.embeddingError || !canEmbed) return;
      const entries = [...texts];
      // Slices bound the memory of a large first build (100k vectors at once would be gigabytes).
      for (let start = 0; start < entries.length && !result.embeddingError; start += EMBED_SLICE) {
        const slice = entries.slice(start, start + EMBED_SLICE);
        const started = performance.now();
        let embedded: Float32Array[];
        try {
          embedded = await embedder.embed(slice.map(([, text]) => text));
        } catch (error) {
          result.embeddingError = embeddingErrorText(error);
          break;
        } finally {
          result.embeddingMs = (result.embeddingMs ?? 0) + performance.now() - started;
        }
        const [length, expected] = [embedded[0]?.length ?? 0, (domainDims ??= probeDims(store, domain)) || dims];
        if (expected > 0 && length !== expected) {
          result.embeddingError = `embedding has ${length} dimensions, the index's vectors ${expected}`;
          break;
        }
        result.embeddedTexts += slice.length;
        dims = length || dims;
        store.cacheVectors(
          embedder.identity,
          slice.map(([textHash], index) => ({ textHash, vector: embedded[index]! })),
          nowMs,
        );
      }
    };

    await embedMissing(
      new Map(pending.flatMap((item) => item.chunks.map((chunk) => [chunk.textHash, chunk.text] as const))),
    );
    store.batch(() => {
      for (const { file, contentHash, chunks } of pending) {
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

    if (embedder && canEmbed && !result.embeddingError && (retryMissing || result.rebuilt)) {
      const missing = store.chunksWithoutVectors(domain);
      if (missing.length > 0) {
        await embedMissing(new Map(missing.map((chunk) => [chunk.textHash, chunk.text])));
        if (!result.embeddingError) {
          result.changed = true;
          result.filledMissing = true;
        }
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
        embeddingDims: dims || storedDims || probeDims(store, domain),
        updatedMs: nowMs,
      });
    }
  } finally {
    bulk?.end();
  }
  return result;
}

/** The dimensions of any stored vector of the domain (0 when there is none). */
function probeDims(store: RetrievalStore, domain: RetrievalDomain): number {
  for (const [, vector] of store.iterateVectors(domain)) return vector.length;
  return 0;
}
