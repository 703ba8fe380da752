// The index passes of every agent (a domain's refresh, a reindex of both), run in each index's exclusive queue and counted.
import type { AgentIndex } from './agent-index';
import type { RetrievalDomain } from './retrieval-search';

/** A domain's refresh (start, file changes, before a search), or `reindex`: both domains rebuilt. */
export type PassKind = RetrievalDomain | 'reindex';

export interface PassCount {
  /** Callers that asked for a pass of this kind. */
  requested: number;
  /** Passes of this kind that began. */
  started: number;
}

export type PassCounts = Record<PassKind, PassCount>;

export interface PassQueue {
  /** Runs `task` in `index`'s exclusive queue, after every earlier task of that index. */
  run<T>(index: AgentIndex, kind: PassKind, task: () => Promise<T>): Promise<T>;
  /** Passes asked for and begun on the agent's indexes since the service started (tests count merged requests). */
  counts(agentId: string): PassCounts;
}

const emptyCounts = (): PassCounts => ({
  memory: { requested: 0, started: 0 },
  knowledge: { requested: 0, started: 0 },
  reindex: { requested: 0, started: 0 },
});

export function createPassQueue(): PassQueue {
  const counted = new Map<string, PassCounts>();
  const countsOf = (agentId: string) => {
    let counts = counted.get(agentId);
    if (!counts) counted.set(agentId, (counts = emptyCounts()));
    return counts;
  };
  return {
    run(index, kind, task) {
      const count = countsOf(index.agentId)[kind];
      count.requested += 1;
      return index.exclusive(() => {
        count.started += 1;
        return task();
      });
    },
    counts(agentId) {
      const counts = countsOf(agentId);
      return {
        memory: { ...counts.memory },
        knowledge: { ...counts.knowledge },
        reindex: { ...counts.reindex },
      };
    },
  };
}
