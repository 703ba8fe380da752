// The search surface other domains (chat rag mode, search tools) use; the retrieval domain implements it.

export type RetrievalDomain = 'memory' | 'knowledge';

export interface RetrievalHit {
  text: string;
  /** Fused score, higher is better. */
  score: number;
  /** Path relative to the agent folder, e.g. `knowledge/guide.md` or `memory/MEMORY.md`. */
  source: string;
  start_line: number;
  end_line: number;
  domain: RetrievalDomain;
}

/** What a search stopped waiting for at its cap: the index taking in changed files, or the query's vector. */
export type SearchPending = 'index' | 'query_vector';

/** A search's hits, and whether they may miss some because the search stopped waiting at its cap. */
export interface SearchAnswer {
  results: RetrievalHit[];
  /** True when `pending` is not empty: changed files or the vector leg may be missing from the results. */
  partial: boolean;
  pending: SearchPending[];
}

export interface RetrievalSearcher {
  /** Searches one agent's index (refreshing it first when files changed). `topK` defaults to the config's. */
  search(agentId: string, domain: RetrievalDomain, query: string, topK?: number): Promise<RetrievalHit[]>;
  /**
   * Searches like `search`, and says whether the answer is partial: a search waits 5 s at most for the index to take
   * in changed files and for its query's vector, then answers without them.
   */
  searchAnswer(agentId: string, domain: RetrievalDomain, query: string, topK?: number): Promise<SearchAnswer>;
}
