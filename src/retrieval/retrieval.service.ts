// The retrieval domain's entry point: keeps every agent's index fresh and answers hybrid searches, status and reindex.
import {
  withLease,
  type AgentDirectory,
  type AgentHandle,
  type FileChangeListener,
  type ResourceSlot,
} from '../agents';
import { invalidRequest, isAppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { nextTurn } from '../shared/event-loop';
import type { Logger } from '../shared/logger';
import { DOMAINS, indexLocation, openAgentIndex, type AgentIndex } from './agent-index';
import { isDomainPath } from './domain-files';
import type { EmbeddingHealth } from './embedding-health';
import type { FusionMethod } from './hybrid-search';
import type { RetrievalDomain, RetrievalSearcher } from './retrieval-search';
import { createQueryVectors } from './query-vectors';
import { cappedSearch } from './capped-search';
import { searchIndex, type SearchSettings } from './search-index';
import type { OpenIndexStorage } from './retrieval-store.port';
import { reindexPass } from './reindex-pass';
import { createPassQueue, type PassCounts } from './pass-queue';
import { buildRetrievalStatus, type RetrievalStatus } from './retrieval-status';

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
  /** Index passes asked for and begun on the agent's index since it opened, by kind (tests see requests merged into one pass). */
  passes(agentId: string): PassCounts;
  /** Stops indexing; the open indexes close with their agents' storage (the registry's `close`). */
  close(): void;
}

export interface RetrievalServiceDeps {
  agents: AgentDirectory;
  /** Opens an agent's index in its engine (the adapter; the composition root picks it). */
  openIndex: OpenIndexStorage;
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
  /** Indexes open now (each lives with its agent's storage, which the registry opens and closes). */
  const open = new Set<AgentIndex>();
  const shortlist = deps.shortlist ?? 400;
  // Chosen by bench/retrieval-eval.bench.ts: standard scores beat min-max and reciprocal rank there.
  const fusion = deps.fusion ?? 'zscore';
  let closed = false;
  let starting: Promise<void> = Promise.resolve();

  /** The agent's index, reopened when the engine or path in its config changed. */
  const slot: ResourceSlot<{ index: AgentIndex; close(): void }> = {
    name: 'retrieval index',
    open(agent) {
      const index = openAgentIndex(
        deps.openIndex,
        agent.id,
        agent.root,
        agent.config(),
        health.identity,
        clock.nowMs(),
      );
      open.add(index);
      return {
        index,
        close() {
          open.delete(index);
          index.close();
        },
      };
    },
    isCurrent({ index }, agent) {
      if (index.damaged) return false;
      const wanted = indexLocation(agent.root, agent.config());
      return index.engine === wanted.engine && index.location === wanted.path;
    },
  };
  const indexOf = (agent: AgentHandle<unknown>): AgentIndex => agent.resource(slot).index;

  /**
   * Runs `op` on the agent's index. One found damaged while the server runs (a disk fault; it answered 500 until a
   * restart) is discarded and reopened empty, and `op` runs once more on the new one, whose syncs refill it from the
   * files. An operation that was under way on the old index when it closed is run again the same way. Unless `op`
   * is that background indexing itself (`refill` false), the first to find the damage also queues it, so both
   * domains and the status fill again without waiting for a search.
   */
  const onIndex = <T>(agent: AgentHandle<unknown>, op: (index: AgentIndex) => T, refill = true): T => {
    const index = indexOf(agent);
    const retry = (error: unknown): T => {
      const known = index.damaged;
      if (!index.markIfDamaged(error)) throw error;
      const fresh = indexOf(agent);
      if (!known) {
        logger.warn('retrieval index damaged: discarded, rebuilt from the files', {
          agent_id: index.agentId,
          error: String(error),
        });
        if (refill) void indexAgent(index.agentId);
      }
      return op(fresh);
    };
    try {
      const result = op(index);
      return (result instanceof Promise ? result.catch(retry) : result) as T;
    } catch (error) {
      return retry(error);
    }
  };

  /** Brings `domains` of an agent's index up to date in the background (start, creation, file changes); a deleted agent has nothing left to index. */
  const indexAgent = async (id: string, domains: readonly RetrievalDomain[] = DOMAINS) => {
    try {
      await withLease(agents.get(id), (agent) =>
        onIndex(
          agent,
          async (index) => {
            for (const domain of domains) await refresh(index, domain, agent);
          },
          false,
        ),
      );
    } catch (error) {
      logIndexingFailure(id, domains, error);
    }
  };

  /** Background indexing that failed, logged (after the service closed, or for a deleted agent, nothing is left to do). */
  const logIndexingFailure = (id: string, domains: readonly RetrievalDomain[], error: unknown) => {
    if (!closed && !isAgentGone(error))
      logger.error('retrieval indexing failed', { agent_id: id, domains, error: String(error) });
  };

  const unsubscribe = agents.subscribe((event) => {
    if (event.type === 'created') void indexAgent(event.agentId);
  });

  const passes = createPassQueue();
  /** Brings one domain of the index up to date with the agent's config as it is when the pass begins. */
  const refresh = (index: AgentIndex, domain: RetrievalDomain, agent: AgentHandle<unknown>) =>
    passes.run(index, domain, async () => {
      if (closed) return;
      const config = agent.config();
      const result = await index.sync(domain, config, health.embedder, health.canEmbed(), clock.nowMs());
      if (result.changed) logger.debug('retrieval index updated', { agent_id: index.agentId, domain, ...result });
    });

  const searching: SearchSettings = { health, queryVector: createQueryVectors(health), shortlist, fusion };

  const service: RetrievalService = {
    async searchAnswer(agentId, domain, query, topK) {
      return withLease(agents.get(agentId), async (agent) => {
        const text = query.trim();
        if (!text) throw invalidRequest('query must not be empty');
        const config = agent.config();
        const limit = Math.max(1, Math.min(100, Math.floor(topK ?? config.retrieval[domain].top_k)));
        return onIndex(agent, (index) =>
          cappedSearch(
            // The pass holds the agent open until it ends: one that outlasted the search's own lease had its index
            // closed under it (another agent opened past the cap, an idle sweep), losing the vectors it waited for.
            withLease(agent, () => refresh(index, domain, agent)),
            (vectorWaitMs) => searchIndex(searching, index, config, domain, text, limit, vectorWaitMs),
            (error) => logIndexingFailure(index.agentId, [domain], error),
          ),
        );
      });
    },
    async search(agentId, domain, query, topK) {
      return (await service.searchAnswer(agentId, domain, query, topK)).results;
    },
    status(agentId) {
      const agent = agents.get(agentId);
      return onIndex(agent, (index) => buildRetrievalStatus(index, health, agent.config()));
    },
    async reindex(agentId) {
      return withLease(agents.get(agentId), (agent) =>
        onIndex(agent, async (index) => {
          const startedMs = clock.nowMs();
          health.resetCooldown();
          await passes.run(index, 'reindex', () => reindexPass(index, agent.config(), health, clock));
          await health.recheck(startedMs);
          return buildRetrievalStatus(index, health, agent.config());
        }),
      );
    },
    onFileChanged(agentRoot, relativePath) {
      // Only open indexes need the news: one opened later starts dirty and walks its folders anyway.
      for (const index of [...open]) {
        if (index.root !== agentRoot) continue;
        for (const domain of DOMAINS) {
          if (!isDomainPath(domain, relativePath)) continue;
          index.domains[domain].dirty = true;
          void indexAgent(index.agentId, [domain]);
        }
      }
    },
    start() {
      starting = (async () => {
        for (const id of agents.ids()) {
          if (closed) return;
          await indexAgent(id);
          // Requests go first between agents: a pass over many agents otherwise holds the thread from one to the next.
          await nextTurn();
        }
      })();
      return starting;
    },
    async idle() {
      await starting;
      // An empty exclusive task runs once every write queued before it on that index has ended.
      await Promise.all([...open].map((index) => index.exclusive(async () => undefined)));
    },
    passes: (agentId) => passes.counts(indexOf(agents.get(agentId))),
    close() {
      closed = true;
      unsubscribe();
    },
  };
  return service;
}

/** The agent was deleted before or during background work: nothing is left to do for it. */
const isAgentGone = (error: unknown) =>
  isAppError(error) && (error.code === 'not_found' || error.code === 'agent_deleted');
