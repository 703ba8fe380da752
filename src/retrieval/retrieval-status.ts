// The operator's view of one agent's index: counts per domain, embedding identity and health, search path.
import type { RuntimeConfig } from '../config';
import { DOMAINS, type AgentIndex } from './agent-index';
import type { EmbeddingHealth } from './embedding-health';
import type { RetrievalDomain } from './retrieval-search';

export interface DomainStatus {
  sources: number;
  chunks: number;
  vectors: number;
  dims: number;
  chunk_size: number;
  chunk_overlap: number;
  last_indexed_at: string | null;
  last_error: string | null;
  legacy_vectors_imported: number;
}

export interface RetrievalStatus {
  agent_id: string;
  engine: 'sqlite' | 'json';
  /** `hybrid` when queries are embedded now; `keyword_only` when the provider is `none` or failing. */
  search_path: 'hybrid' | 'keyword_only';
  degraded_reason: string | null;
  embedding: {
    provider: string;
    model: string | null;
    state: 'ok' | 'degraded' | 'disabled';
    last_error: string | null;
    last_error_at: string | null;
  };
  domains: Record<RetrievalDomain, DomainStatus>;
  last_indexed_at: string | null;
  last_error: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function buildRetrievalStatus(
  index: AgentIndex,
  health: EmbeddingHealth,
  config: RuntimeConfig,
): RetrievalStatus {
  const embedding = health.state();
  const domains = {} as Record<RetrievalDomain, DomainStatus>;
  let lastIndexed: number | null = null;
  let lastError: string | null = null;
  for (const domain of DOMAINS) {
    const state = index.domains[domain];
    const counts = index.store.counts(domain);
    const meta = index.store.meta(domain);
    domains[domain] = {
      ...counts,
      dims: meta?.embeddingDims ?? 0,
      chunk_size: config.retrieval[domain].chunk_size,
      chunk_overlap: config.retrieval[domain].chunk_overlap,
      last_indexed_at: iso(state.lastIndexedMs),
      last_error: state.lastError,
      legacy_vectors_imported: state.legacyImported,
    };
    if (state.lastIndexedMs !== null && (lastIndexed === null || state.lastIndexedMs > lastIndexed))
      lastIndexed = state.lastIndexedMs;
    lastError ??= state.lastError;
  }
  const degradedReason =
    embedding.state === 'disabled'
      ? 'embedding provider is none (keyword-only by configuration)'
      : embedding.state === 'degraded'
        ? `embeddings unavailable: ${embedding.lastError}`
        : null;
  return {
    agent_id: index.agentId,
    engine: index.engine,
    search_path: embedding.state === 'ok' ? 'hybrid' : 'keyword_only',
    degraded_reason: degradedReason,
    embedding: {
      provider: health.identity?.provider ?? 'none',
      model: health.identity?.model ?? null,
      state: embedding.state,
      last_error: embedding.lastError,
      last_error_at: iso(embedding.lastErrorAtMs),
    },
    domains,
    last_indexed_at: iso(lastIndexed),
    last_error: lastError ?? embedding.lastError,
  };
}
