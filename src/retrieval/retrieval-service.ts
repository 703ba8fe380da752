// The retrieval domain's entry point: keeps every agent's index fresh and answers hybrid searches, status and reindex.
import type { AgentHandle, AgentRegistry } from '../agents/agent-registry';
import type { FileChangeListener } from '../agents/workspace-files';
import type { RuntimeConfig } from '../config/runtime-config.schema';
import { invalidRequest } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { DOMAINS, indexLocation, openAgentIndex, type AgentIndex } from './agent-index';
import { isDomainPath } from './domain-files';
import type { EmbeddingHealth } from './embedding-health';
import { ftsOrQuery, fuseLegs, type FusionMethod, type LegHit } from './hybrid-search';
import { sha256 } from './retrieval-indexer';
import type { RetrievalDomain, RetrievalHit, RetrievalSearcher } from './retrieval-search';
import { buildRetrievalStatus, type RetrievalStatus } from './retrieval-status';

const QUERY_CACHE_SIZE = 512;

export interface RetrievalService extends RetrievalSearcher {
  /** Counts, embedding identity and health, active search path, last index time and error. 404 for an unknown agent. */
  status(agentId?: string): RetrievalStatus;
  /** Re-chunks every file of both domains (vectors come from the cache where texts are unchanged), retrying embeddings now; then drops unused cached vectors. */
  reindex(agentId?: string): Promise<RetrievalStatus>;
  /** For `deps.fileListeners`: a write under memory/ or knowledge/ refreshes that domain in the background. */
  readonly onFileChanged: FileChangeListener;
  /** Indexes every agent (server start; new agents are indexed when created). Resolves when done; failures are logged. */
  start(): Promise<void>;
  /** Resolves once the start-up pass and every queued refresh have finished (tests snapshot files after it). */
  idle(): Promise<void>;
  close(): void;
}

export interface RetrievalServiceDeps {
  agents: AgentRegistry;
  health: EmbeddingHealth;
  clock: Clock;
  logger: Logger;
  /** Exact re-scoring candidates per query taken from the Hamming scan (default 400). */
  shortlist?: number;
  /** How the legs' scores are normalised before weighting (default `zscore`, see hybrid-search.ts). */
  fusion?: FusionMethod;
}

export function createRetrievalService(deps: RetrievalServiceDeps): RetrievalService {
  const { agents, health, clock, logger } = deps;
  const indexes = new Map<string, AgentIndex>();
  const shortlist = deps.shortlist ?? 400;
  // Chosen by bench/retrieval-eval.bench.ts: standard scores beat min-max and reciprocal rank there.
  const fusion = deps.fusion ?? 'zscore';
  let closed = false;
  let starting: Promise<void> = Promise.resolve();

  const indexAgent = async (id: string) => {
    try {
      const agent = agents.get(id);
      const config = agent.config();
      const index = indexOf(agent, config);
      for (const domain of DOMAINS) await refresh(index, domain, config);
    } catch (error) {
      if (!closed) logger.error('retrieval indexing failed', { agent_id: id, error: String(error) });
    }
  };

  const unsubscribe = agents.subscribe((event) => {
    if (event.type === 'created') void indexAgent(event.agentId);
    if (event.type !== 'deleted') return;
    indexes.get(event.agentId)?.close();
    indexes.delete(event.agentId);
  });

  /** The agent's open index, reopened when the engine or path in its config changed. */
  const indexOf = (agent: AgentHandle, config: RuntimeConfig): AgentIndex => {
    const open = indexes.get(agent.id);
    const wanted = indexLocation(agent.root, config);
    if (open && open.engine === wanted.engine && open.location === wanted.path) return open;
    open?.close();
    const index = openAgentIndex(agent.id, agent.root, config, health.identity, clock.nowMs());
    indexes.set(agent.id, index);
    return index;
  };

  const refresh = (index: AgentIndex, domain: RetrievalDomain, config: RuntimeConfig) =>
    index.exclusive(async () => {
      if (closed) return;
      const result = await index.sync(domain, config, health.embedder, health.canEmbed(), clock.nowMs());
      if (result.changed) logger.debug('retrieval index updated', { agent_id: index.agentId, domain, ...result });
    });

  // Recent query vectors, in memory only: searches never write to the index database.
  const queryCache = new Map<string, Float32Array>();
  const queryVector = async (index: AgentIndex, text: string): Promise<Float32Array | null> => {
    const embedder = health.embedder;
    if (!embedder) return null;
    const remembered = queryCache.get(text);
    if (remembered) {
      queryCache.delete(text);
      queryCache.set(text, remembered);
      return remembered;
    }
    // A query equal to a chunk text (or imported from a legacy index) is already in the store's cache.
    const hash = sha256(text);
    const stored = index.store.cachedVectors(embedder.identity, [hash]).get(hash);
    if (stored) return stored;
    if (!health.canEmbed()) return null;
    try {
      const [vector] = await embedder.embed([text]);
      if (!vector) return null;
      queryCache.set(text, vector);
      if (queryCache.size > QUERY_CACHE_SIZE) queryCache.delete(queryCache.keys().next().value!);
      return vector;
    } catch {
      return null; // Recorded by the health tracker; this search answers from keywords.
    }
  };

  const service: RetrievalService = {
    async search(agentId, domain, query, topK) {
      const agent = agents.get(agentId);
      const text = query.trim();
      if (!text) throw invalidRequest('query must not be empty');
      const config = agent.config();
      const settings = config.retrieval[domain];
      const limit = Math.max(1, Math.min(100, Math.floor(topK ?? settings.top_k)));
      const index = indexOf(agent, config);
      await refresh(index, domain, config);
      const candidates = Math.max(limit, config.retrieval.storage.fts_prefilter_k);
      const keywordHits: LegHit[] = index.store.keywordSearch(domain, ftsOrQuery(text), candidates).map((hit) => ({ id: hit.id, score: -hit.bm25 }));
      let vectorHits: LegHit[] = [];
      let vectorLeg = false;
      if (settings.semantic_weight > 0 && health.embedder) {
        const vectors = index.vectors(domain);
        const query = vectors.size > 0 ? await queryVector(index, text) : null;
        if (query) {
          vectorHits = vectors.search(query, candidates, shortlist, (ids) => index.store.vectorsOf(ids));
          vectorLeg = true;
        }
      }
      // Without a vector leg the keyword leg answers alone, at full weight.
      const weights = vectorLeg ? { semanticWeight: settings.semantic_weight, lexicalWeight: settings.lexical_weight } : { semanticWeight: 0, lexicalWeight: 1 };
      const fused = fuseLegs(keywordHits, vectorHits, weights, fusion).filter((hit) => hit.score > 0).slice(0, limit);
      const chunks = index.store.chunksByIds(fused.map((hit) => hit.id));
      return fused.flatMap((hit) => {
        const chunk = chunks.get(hit.id);
        return chunk ? [{ text: chunk.text, score: hit.score, source: chunk.path, start_line: chunk.startLine, end_line: chunk.endLine, domain }] : [];
      }) satisfies RetrievalHit[];
    },
    status(agentId) {
      const agent = agents.get(agentId);
      const config = agent.config();
      return buildRetrievalStatus(indexOf(agent, config), health, config);
    },
    async reindex(agentId) {
      const agent = agents.get(agentId);
      const config = agent.config();
      const index = indexOf(agent, config);
      health.resetCooldown();
      await index.exclusive(async () => {
        for (const domain of DOMAINS) {
          index.store.clearDomain(domain);
          await index.sync(domain, config, health.embedder, health.canEmbed(), clock.nowMs(), true);
        }
        index.store.pruneCache();
      });
      return buildRetrievalStatus(index, health, config);
    },
    onFileChanged(agentRoot, relativePath) {
      for (const index of indexes.values()) {
        if (index.root !== agentRoot) continue;
        for (const domain of DOMAINS) {
          if (!isDomainPath(domain, relativePath)) continue;
          index.domains[domain].dirty = true;
          const agent = agents.get(index.agentId);
          refresh(index, domain, agent.config()).catch((error) => logger.error('retrieval refresh failed', { agent_id: index.agentId, domain, error: String(error) }));
        }
      }
    },
    start() {
      starting = (async () => {
        for (const id of agents.ids()) {
          if (closed) return;
          await indexAgent(id);
        }
      })();
      return starting;
    },
    async idle() {
      await starting;
      await Promise.all([...indexes.values()].map((index) => index.exclusive(async () => {})));
    },
    close() {
      closed = true;
      unsubscribe();
      for (const index of indexes.values()) index.close();
      indexes.clear();
    },
  };
  return service;
}
