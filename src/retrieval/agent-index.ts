// One agent's open index: its store (SQLite file or JSON-backed), per-domain freshness, vector index cache and a lock.
import { join } from 'node:path';
import { indexFilePath, type RuntimeConfig } from '../config';
import type { EmbeddingIdentity } from './embedding-client';
import { importLegacyIndex } from './legacy-import';
import { syncDomain, unchangedSync, type IndexerEmbedder, type SyncResult } from './retrieval-indexer';
import type { RetrievalDomain } from './retrieval-search';
import type { OpenIndexStorage, RetrievalStore } from './retrieval-store.port';
import { buildVectorIndex, type VectorIndex } from './vector-index';
import { loadVectorIndex } from './vector-load';

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
  sync(
    domain: RetrievalDomain,
    config: RuntimeConfig,
    embedder: IndexerEmbedder | null,
    canEmbed: boolean,
    nowMs: number,
    force?: boolean,
  ): Promise<SyncResult>;
  /** The domain's vector index for the current generation, built from stored vectors on first use (in one go). */
  vectors(domain: RetrievalDomain): VectorIndex;
  /**
   * The same, built in slices when it is not loaded (one build at a time, shared by the searches waiting for it).
   * A pass may change the domain meanwhile: `currentVectors` then says the index resolved is no longer current.
   * `slicing` (tests): the slice length and page size the load uses.
   */
  loadVectors(domain: RetrievalDomain, slicing?: { sliceMs: number; pageSize: number }): Promise<VectorIndex>;
  /** The domain's vector index if one is loaded for the current generation, else null (nothing is built). */
  currentVectors(domain: RetrievalDomain): VectorIndex | null;
  /** Set once an operation failed because the file is damaged: the index is to be reopened, its files discarded at close. */
  readonly damaged: boolean;
  /** Marks the index damaged if `error` says its file is; whether it is damaged (by this error or an earlier one). */
  markIfDamaged(error: unknown): boolean;
  close(): void;
}

/** Where the index of this config lives: `db_path` in the agent's storage/ (the config schema keeps it there); `.json` beside it for engine json. */
export function indexLocation(root: string, config: RuntimeConfig): { engine: 'sqlite' | 'json'; path: string } {
  const { engine, db_path } = config.retrieval.storage;
  return { engine, path: join(root, indexFilePath(engine, db_path)) };
}

/** Opens the agent's index through `openIndex` (the engine's adapter); chunk vectors are those of `identity` (null: keyword-only). */
export function openAgentIndex(
  openIndex: OpenIndexStorage,
  agentId: string,
  root: string,
  config: RuntimeConfig,
  identity: EmbeddingIdentity | null,
  nowMs: number,
): AgentIndex {
  const { engine, path } = indexLocation(root, config);
  const storage = openIndex(engine, path, identity);
  const { store } = storage;
  const domains = {} as Record<RetrievalDomain, DomainState>;
  for (const domain of DOMAINS) {
    const meta = store.meta(domain);
    domains[domain] = {
      generation: 0,
      vectorIndex: null,
      lastIndexedMs: meta?.updatedMs ?? null,
      lastError: null,
      missingVectors: -1,
      dirty: true,
      lastWalk: null,
      legacyImported: 0,
    };
    // The original's JSON index, if any, seeds the embedding cache before this domain's first build.
    domains[domain].legacyImported = importLegacyIndex(store, root, domain, nowMs);
  }
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  let damaged = false;
  /** Vector index builds under way, per domain, with the generation each reads. */
  const loading = new Map<RetrievalDomain, { generation: number; promise: Promise<VectorIndex> }>();
  /** Damage a load found: its searches may all have stopped waiting, so the next load is refused with it. */
  let loadDamage: { error: unknown } | null = null;

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
      if (
        !force &&
        !state.dirty &&
        state.missingVectors === 0 &&
        walk &&
        walk.settingsKey === settingsKey &&
        walk.files > LARGE_FOLDER_FILES &&
        performance.now() - walk.endedAt < 20 * walk.durationMs
      ) {
        return unchangedSync();
      }
      state.dirty = false;
      const started = performance.now();
      let result: SyncResult;
      try {
        result = await syncDomain({
          store,
          agentRoot: root,
          domain,
          settings: { chunkSize: settings.chunk_size, chunkOverlap: settings.chunk_overlap },
          embedder,
          canEmbed,
          retryMissing: state.missingVectors !== 0,
          nowMs,
          bulkWrites: storage.bulkWrites,
        });
      } catch (error) {
        // Slices it wrote before failing may lack vectors (a provider down meanwhile): unknown again, so the next pass
        // looks for them. The count of the pass before stayed, and at 0 those chunks were never embedded.
        state.missingVectors = -1;
        // Nor does the loaded (or loading) vector index match the domain any more: the next pass would patch in its
        // own changes alone, and the slices written here were missing from the vector leg until a restart.
        state.generation += 1;
        throw error;
      }
      if (closed) return result;
      state.lastWalk = {
        files: result.files,
        durationMs: performance.now() - started - (result.embeddingMs ?? 0),
        endedAt: performance.now(),
        settingsKey,
      };
      state.missingVectors = result.missingVectors;
      state.lastError = result.embeddingError;
      if (result.changed) {
        // A forced pass follows the domain's clearing (reindex), whose rows the loaded index never saw removed: they
        // piled up with each reindex, and vectors of a new length were skipped as patches. It is reloaded instead.
        const current = !force && state.vectorIndex?.generation === state.generation ? state.vectorIndex : null;
        state.generation += 1;
        // Small changes patch the loaded vector index; a rebuild, filled gaps or many removals reload it.
        if (current && !result.rebuilt && !result.filledMissing) {
          current.index.remove(result.removedChunkIds);
          current.index.add(store.vectorsOf(result.addedChunkIds).entries());
          if (current.index.removed <= current.index.size) current.generation = state.generation;
        }
        state.lastIndexedMs = nowMs;
        storage.persist();
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
    loadVectors(domain, slicing) {
      const state = domains[domain];
      if (state.vectorIndex?.generation === state.generation) return Promise.resolve(state.vectorIndex.index);
      // Told to the search that asks next, within its wait: the service then discards and rebuilds the index.
      if (loadDamage) return Promise.reject(loadDamage.error);
      const generation = state.generation;
      const pending = loading.get(domain);
      if (pending?.generation === generation) return pending.promise;
      const promise = loadVectorIndex(store, domain, () => closed, slicing?.sliceMs, slicing?.pageSize)
        .then(
          (index) => {
            // Built from what the domain held at `generation`: kept only if no pass changed it meanwhile.
            if (state.generation === generation) state.vectorIndex = { generation, index };
            return index;
          },
          (error: unknown) => {
            if (storage.isDamaged(error)) loadDamage = { error };
            throw error;
          },
        )
        .finally(() => {
          if (loading.get(domain)?.promise === promise) loading.delete(domain);
        });
      loading.set(domain, { generation, promise });
      return promise;
    },
    currentVectors(domain) {
      const state = domains[domain];
      return state.vectorIndex?.generation === state.generation ? state.vectorIndex.index : null;
    },
    get damaged() {
      return damaged;
    },
    markIfDamaged(error) {
      damaged ||= storage.isDamaged(error);
      return damaged;
    },
    close() {
      if (closed) return;
      closed = true;
      if (damaged) storage.discard();
      else storage.close();
    },
  };
}
