// The index passes of every agent (a domain's refresh, a reindex of both), run in each index's exclusive queue and counted;
// a request while a pass of its kind waits in that queue joins it, so at most one runs and one waits per index and kind.
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
  /**
   * Runs `task` in `index`'s exclusive queue, after every earlier task of that index; or, when a pass of `kind` waits
   * there and has not begun, answers as that pass does (its task reads files and config once it begins, after this
   * request, so it covers it; this caller's `task` is then dropped). Twenty reindex requests during a rebuild were
   * twenty rebuilds, one after another.
   */
  run<T>(index: AgentIndex, kind: PassKind, task: () => Promise<T>): Promise<T>;
  /**
   * Passes asked for and begun on `index` since it opened (tests count merged requests). Kept with the index, not by
   * agent id: counts by id outlived their agents, one entry for each agent ever made and deleted.
   */
  counts(index: AgentIndex): PassCounts;
}

const emptyCounts = (): PassCounts => ({
  memory: { requested: 0, started: 0 },
  knowledge: { requested: 0, started: 0 },
  reindex: { requested: 0, started: 0 },
});

export function createPassQueue(): PassQueue {
  const counted = new WeakMap<AgentIndex, PassCounts>();
  /** The pass of each kind waiting in an index's queue, not begun (a reopened index has its own). */
  const waiting = new WeakMap<AgentIndex, Map<PassKind, Promise<unknown>>>();
  const countsOf = (index: AgentIndex) => {
    let counts = counted.get(index);
    if (!counts) counted.set(index, (counts = emptyCounts()));
    return counts;
  };
  return {
    run<T>(index: AgentIndex, kind: PassKind, task: () => Promise<T>): Promise<T> {
      const count = countsOf(index)[kind];
      count.requested += 1;
      let queued = waiting.get(index);
      if (!queued) waiting.set(index, (queued = new Map()));
      const joined = queued.get(kind);
      if (joined) return joined as Promise<T>;
      const run = index.exclusive(() => {
        // Begun: a request from now on may come after the files it reads, so it queues a pass of its own.
        queued.delete(kind);
        count.started += 1;
        return task();
      });
      queued.set(kind, run);
      return run;
    },
    counts(index) {
      const counts = counted.get(index) ?? emptyCounts();
      return {
        memory: { ...counts.memory },
        knowledge: { ...counts.knowledge },
        reindex: { ...counts.reindex },
      };
    },
  };
}
