// One agent's open index: its store (SQLite file or JSON-backed), per-domain freshness, vector index cache and a lock.
import { Database } from 'bun:sqlite';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RuntimeConfig } from '../config/runtime-config.schema';
import { indexFilePath } from '../config/storage-paths';
import { openDatabase } from '../db/open-database';
import { BULK_BUILD_SUFFIX, SQLITE_SIDE_SUFFIXES } from '../shared/agent-storage';
import { syncFolder } from '../shared/atomic-write';
import type { EmbeddingIdentity } from './embedding-client';
import { openJsonIndex, saveJsonIndex } from './json-index-file';
import { importLegacyIndex } from './legacy-import';
import { RETRIEVAL_DB_MIGRATIONS } from './retrieval-db.schema';
import { syncDomain, unchangedSync, type IndexerEmbedder, type SyncResult } from './retrieval-indexer';
import type { RetrievalDomain } from './retrieval-search';
import { createRetrievalStore, type RetrievalStore } from './retrieval.store';
import { buildVectorIndex, type VectorIndex } from './vector-index';

export const DOMAINS: readonly RetrievalDomain[] = ['memory', 'knowledge'];
const LARGE_FOLDER_FILES = 500;

export interface DomainState {
  generation: number;
  vectorIndex: { generation: number; index: VectorIndex } | null;
  lastIndexedMs: number | null;
  lastError: string | null;
  /** Chunks without a vector after the last pass; -1 until the first pass (unknown). */
  missingVectors: number;
  /** Set by file-change notices: the next freshness check walks the folder whatever its cost. */
  dirty: boolean;
  /** Size, duration and end (performance.now) of the last folder walk, and the chunk settings it used. */
  lastWalk: { files: number; durationMs: number; endedAt: number; settingsKey: string } | null;
  legacyImported: number;
}

export interface AgentIndex {
  readonly agentId: string;
  readonly root: string;
  readonly engine: 'sqlite' | 'json';
  readonly location: string;
  readonly store: RetrievalStore;
  readonly domains: Record<RetrievalDomain, DomainState>;
  /** Runs `task` after every earlier task of this agent (syncs never interleave). */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  /**
   * Brings the domain up to date. The walk of a folder of more than 500 files is not repeated
   * within 20 times its duration unless a change notice came in (`dirty`) or `force`, so freshness
   * checks cost at most ~5% of search time; smaller folders are walked on every call.
   */
  sync(domain: RetrievalDomain, config: RuntimeConfig, embedder: IndexerEmbedder | null, canEmbed: boolean, nowMs: number, force?: boolean): Promise<SyncResult>;
  /** The domain's vector index for the current generation, built from stored vectors on first use. */
  vectors(domain: RetrievalDomain): VectorIndex;
  close(): void;
}

/** Where the index of this config lives: `db_path` in the agent's storage/ (the config schema keeps it there); `.json` beside it for engine json. */
export function indexLocation(root: string, config: RuntimeConfig): { engine: 'sqlite' | 'json'; path: string } {
  const { engine, db_path } = config.retrieval.storage;
  return { engine, path: join(root, indexFilePath(engine, db_path)) };
}

/** A new database file with 8 KiB pages, so a 1,536-dimension vector (6 KiB) fits one page without overflow pages. */
function createWithPageSize(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { create: true });
  db.exec('PRAGMA page_size = 8192');
  db.exec('PRAGMA journal_mode = WAL'); // the first write fixes the page size
  db.close();
}

/** Present while a bulk build writes without syncing; found at open, it means the build never reached the disk whole. */
const bulkMarker = (path: string) => `${path}${BULK_BUILD_SUFFIX}`;

/** Deletes the index files: it is derived data, rebuilt from the agent's files on the next pass. */
function discardIndex(path: string): void {
  for (const file of [path, ...SQLITE_SIDE_SUFFIXES.map((suffix) => `${path}${suffix}`), bulkMarker(path)]) rmSync(file, { force: true });
}

/**
 * Bulk mode for a large build: SQLite stops syncing (`synchronous = OFF`, several times faster for
 * hundreds of megabytes of vectors). A process crash loses nothing in WAL mode; an OS crash or power
 * loss could leave the file damaged, so a durable marker file exists for exactly that window, and an
 * index found with it is discarded and rebuilt. `end` checkpoints with syncing back on, then removes it.
 */
function bulkWrites(db: Database, path: string) {
  return {
    begin() {
      const handle = openSync(bulkMarker(path), 'w');
      fsyncSync(handle);
      closeSync(handle);
      syncFolder(dirname(path));
      db.exec('PRAGMA synchronous = OFF');
    },
    end() {
      db.exec('PRAGMA synchronous = NORMAL');
      db.exec('PRAGMA wal_checkpoint(FULL)');
      rmSync(bulkMarker(path), { force: true });
      syncFolder(dirname(path));
    },
  };
}

/** Opens the agent's index; chunk vectors are those of `identity` (null: keyword-only). */
export function openAgentIndex(agentId: string, root: string, config: RuntimeConfig, identity: EmbeddingIdentity | null, nowMs: number): AgentIndex {
  const { engine, path } = indexLocation(root, config);
  if (engine === 'sqlite' && existsSync(bulkMarker(path))) discardIndex(path);
  if (engine === 'sqlite' && !existsSync(path)) createWithPageSize(path);
  const db: Database = engine === 'json' ? openJsonIndex(path) : openDatabase(path, RETRIEVAL_DB_MIGRATIONS);
  if (engine === 'sqlite') db.exec('PRAGMA busy_timeout = 30000');
  const store = createRetrievalStore(db, identity);
  const domains = {} as Record<RetrievalDomain, DomainState>;
  for (const domain of DOMAINS) {
    const meta = store.meta(domain);
    domains[domain] = { generation: 0, vectorIndex: null, lastIndexedMs: meta?.updatedMs ?? null, lastError: null, missingVectors: -1, dirty: true, lastWalk: null, legacyImported: 0 };
    // The original's JSON index, if any, seeds the embedding cache before this domain's first build.
    domains[domain].legacyImported = importLegacyIndex(store, root, domain, nowMs);
  }
  const bulk = bulkWrites(db, path);
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    agentId,
    root,
    engine,
    location: path,
    store,
    domains,
    exclusive,
    async sync(domain, config, embedder, canEmbed, nowMs, force = false) {
      const state = domains[domain];
      const settings = config.retrieval[domain];
      const settingsKey = `${settings.chunk_size}:${settings.chunk_overlap}`;
      const walk = state.lastWalk;
      if (!force && !state.dirty && state.missingVectors === 0 && walk && walk.settingsKey === settingsKey && walk.files > LARGE_FOLDER_FILES && performance.now() - walk.endedAt < 20 * walk.durationMs) {
        return unchangedSync();
      }
      state.dirty = false;
      const started = performance.now();
      const result = await syncDomain({
        store,
        agentRoot: root,
        domain,
        settings: { chunkSize: settings.chunk_size, chunkOverlap: settings.chunk_overlap },
        embedder,
        canEmbed,
        retryMissing: state.missingVectors !== 0,
        nowMs,
        bulkWrites: engine === 'sqlite' ? bulk : undefined,
      });
      if (closed) return result;
      state.lastWalk = { files: result.files, durationMs: performance.now() - started - (result.embeddingMs ?? 0), endedAt: performance.now(), settingsKey };
      state.missingVectors = result.missingVectors;
      state.lastError = result.embeddingError;
      if (result.changed) {
        const current = state.vectorIndex?.generation === state.generation ? state.vectorIndex : null;
        state.generation += 1;
        // Small changes patch the loaded vector index; a rebuild, filled gaps or many removals reload it.
        if (current && !result.rebuilt && !result.filledMissing) {
          current.index.remove(result.removedChunkIds);
          current.index.add(store.vectorsOf(result.addedChunkIds).entries());
          if (current.index.removed <= current.index.size) current.generation = state.generation;
        }
        state.lastIndexedMs = nowMs;
        if (engine === 'json') saveJsonIndex(db, path);
      } else if (state.lastIndexedMs === null) state.lastIndexedMs = nowMs;
      return result;
    },
    vectors(domain) {
      const state = domains[domain];
      if (state.vectorIndex?.generation !== state.generation) {
        state.vectorIndex = { generation: state.generation, index: buildVectorIndex(store.iterateVectors(domain)) };
      }
      return state.vectorIndex.index;
    },
    close() {
      closed = true;
      db.close();
    },
  };
}
