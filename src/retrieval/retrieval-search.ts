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

export interface RetrievalSearcher {
  /** Searches one agent's index (refreshing it first when files changed). `topK` defaults to the config's. */
  search(agentId: string, domain: RetrievalDomain, query: string, topK?: number): Promise<RetrievalHit[]>;
}
