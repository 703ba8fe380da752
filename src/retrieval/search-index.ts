// One hybrid search over an agent's open index: the keyword leg, the vector leg when there are vectors, fused.
import type { RuntimeConfig } from '../config';
import type { AgentIndex } from './agent-index';
import type { EmbeddingHealth } from './embedding-health';
import { ftsOrQuery, fuseLegs, queryTerms, selectHits, type FusionMethod, type LegHit } from './hybrid-search';
import { QUERY_VECTOR_WAIT_MS, type QueryVectors } from './query-vectors';
import { within } from '../shared/event-loop';
import type { RetrievalDomain, RetrievalHit } from './retrieval-search';
import { lengthMismatch } from './vector-filler';

export interface SearchSettings {
  health: EmbeddingHealth;
  queryVector: QueryVectors;
  /** Exact re-scoring candidates per query taken from the Hamming scan. */
  shortlist: number;
  fusion: FusionMethod;
}

/**
 * A search's hits; `vectorLate` when it answered without the vector leg because the query's vector came too late,
 * `vectorsLoading` because the domain's vector index was still loading (or a pass changed the domain meanwhile).
 */
export interface SearchOutcome {
  hits: RetrievalHit[];
  vectorLate: boolean;
  vectorsLoading: boolean;
}

/**
 * The `limit` best chunks of `domain` for `text` (trimmed, not empty), from an index already brought up to date; the
 * query's vector is waited for `vectorWaitMs` at most (default: the query vectors' own wait).
 */
export async function searchIndex(
  settings: SearchSettings,
  index: AgentIndex,
  config: RuntimeConfig,
  domain: RetrievalDomain,
  text: string,
  limit: number,
  vectorWaitMs?: number,
): Promise<SearchOutcome> {
  const { health } = settings;
  const weighting = config.retrieval[domain];
  const candidates = Math.max(limit, config.retrieval.storage.fts_prefilter_k);
  let query: Float32Array | null = null;
  let dims = 0;
  let vectorLate = false;
  let vectorsLoading = false;
  if (weighting.semantic_weight > 0 && health.embedder) {
    // The vector index loads in slices (other work goes on), within the search's wait like its query's vector.
    const waitMs = vectorWaitMs ?? QUERY_VECTOR_WAIT_MS;
    const deadline = performance.now() + waitMs;
    const vectors = await within(index.loadVectors(domain), waitMs, null);
    vectorsLoading = vectors === null;
    dims = vectors && vectors.size > 0 ? vectors.dims : 0;
    const left = Math.max(0, deadline - performance.now());
    const asked = dims > 0 ? await settings.queryVector(index, text, dims, left) : null;
    query = asked?.vector ?? null;
    vectorLate = asked?.late ?? false;
  }
  // A new model behind the same name: every search went keyword-only with nothing said in the status.
  if (query && query.length !== dims) {
    index.domains[domain].lastError = lengthMismatch(query.length, dims);
    query = null;
  }
  // Both legs and the chunks' texts are read from here on with nothing awaited: a pass that replaced chunks while the
  // query's vector was waited for (up to 5 s) left keyword hits naming chunks gone, dropped from a complete answer.
  const keywordHits: LegHit[] = index.store
    .keywordSearch(domain, ftsOrQuery(text), candidates)
    .map((hit) => ({ id: hit.id, score: -hit.bm25 }));
  let vectorHits: LegHit[] = [];
  let vectorLeg = false;
  const vectors = query ? index.currentVectors(domain) : null;
  // A pass rebuilt the domain's vectors while the query's vector was waited for: keywords alone, and said so.
  if (query && !vectors) vectorsLoading = true;
  // The domain may have been emptied meanwhile (a reindex clears it first): keywords alone then.
  if (query && vectors && vectors.size > 0 && vectors.dims === query.length) {
    vectorHits = vectors.search(query, candidates, settings.shortlist, (ids) => index.store.vectorsOf(ids));
    vectorLeg = true;
  }
  // Without a vector leg the keyword leg answers alone, at full weight.
  const weights = vectorLeg
    ? { semanticWeight: weighting.semantic_weight, lexicalWeight: weighting.lexical_weight }
    : { semanticWeight: 0, lexicalWeight: 1 };
  const fused = selectHits(
    fuseLegs(keywordHits, vectorHits, weights, settings.fusion),
    keywordHits,
    limit,
    queryTerms(text).length === 1,
  );
  const chunks = index.store.chunksByIds(fused.map((hit) => hit.id));
  const hits = fused.flatMap((hit): RetrievalHit[] => {
    const chunk = chunks.get(hit.id);
    return chunk
      ? [
          {
            text: chunk.text,
            score: hit.score,
            source: chunk.path,
            start_line: chunk.startLine,
            end_line: chunk.endLine,
            domain,
          },
        ]
      : [];
  });
  return { hits, vectorLate, vectorsLoading };
}
