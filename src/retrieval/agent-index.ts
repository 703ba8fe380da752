// One agent's open index: its store (SQLite file or JSON-backed), per-domain freshness, vector index cache and a lock.
import type { Database } from 'bun:sqlite';
import { isAbsolute, join } from 'node:path';
import type { RuntimeConfig } from '../config/runtime-config.schema';
import { openDatabase } from '../db/open-database';
import { openJsonIndex, saveJsonIndex } from './json-index-file';
import { importLegacyIndex } from './legacy-import';
import { RETRIEVAL_DB_MIGRATIONS } from './retrieval-db.schema';
import { syncDomain, type IndexerEmbedder, type SyncResult } from './retrieval-indexer';
import type { RetrievalDomain } from './retrieval-search';
import { createRetrievalStore, type RetrievalStore } from './retrieval.store';
import { buildVectorIndex, type VectorIndex } from './vector-index';

export const DOMAINS: readonly RetrievalDomain[] = ['memory', 'knowledge'];

export interface DomainState {
  generation: number;
  vectorIndex: { generation: number; index: VectorIndex } | null;
  lastIndexedMs: number | null;
  lastError: string | null;
  missingVectors: number;
  /** Set by file-change notices; the next freshness check syncs even if stats look equal. */
  dirty: boolean;
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
  sync(domain: RetrievalDomain, config: RuntimeConfig, embedder: IndexerEmbedder | null, canEmbed: boolean, nowMs: number): Promise<SyncResult>;
  /** The domain's vector index for the current generation, built from stored vectors on first use. */
  vectors(domain: RetrievalDomain): VectorIndex;
  close(): void;
}

/** Where the index of this config lives: `db_path` against the agent folder (absolute allowed); `.json` beside it for engine json. */
export function indexLocation(root: string, config: RuntimeConfig): { engine: 'sqlite' | 'json'; path: string } {
  const storage = config.retrieval.storage;
  const dbPath = isAbsolute(storage.db_path) ? storage.db_path : join(root, storage.db_path);
  return storage.engine === 'json' ? { engine: 'json', path: dbPath.replace(/\.db$/i, '') + '.json' } : { engine: 'sqlite', path: dbPath };
}

export function openAgentIndex(agentId: string, root: string, config: RuntimeConfig, nowMs: number): AgentIndex {
  const { engine, path } = indexLocation(root, config);
  const db: Database = engine === 'json' ? openJsonIndex(path) : openDatabase(path, RETRIEVAL_DB_MIGRATIONS);
  if (engine === 'sqlite') db.exec('PRAGMA busy_timeout = 30000');
  const store = createRetrievalStore(db);
  const domains = {} as Record<RetrievalDomain, DomainState>;
  for (const domain of DOMAINS) {
    const meta = store.meta(domain);
    domains[domain] = { generation: 0, vectorIndex: null, lastIndexedMs: meta?.updatedMs ?? null, lastError: null, missingVectors: 0, dirty: true, legacyImported: 0 };
    // The original's JSON index, if any, seeds the embedding cache before this domain's first build.
    domains[domain].legacyImported = importLegacyIndex(store, root, domain, nowMs);
  }
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
    async sync(domain, config, embedder, canEmbed, nowMs) {
      const state = domains[domain];
      const settings = config.retrieval[domain];
      state.dirty = false;
      const result = await syncDomain({
        store,
        agentRoot: root,
        domain,
        settings: { chunkSize: settings.chunk_size, chunkOverlap: settings.chunk_overlap },
        embedder,
        canEmbed,
        retryMissing: state.missingVectors > 0,
        nowMs,
      });
      if (closed) return result;
      state.missingVectors = result.missingVectors;
      state.lastError = result.embeddingError;
      if (result.changed) {
        state.generation += 1;
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
