// The cron rows one runner has in progress, and their interruption when the server stops under them.
import type { Clock } from '../shared/clock';
import { interruptOwnRuns } from './interrupted-runs';
import type { CronRun, SchedulerStore } from './scheduler.port';

export interface ActiveRuns {
  /** Row `rowId` of job `jobId` is stored `running`: it is in progress here until `end`. */
  begin(rowId: string, jobId: string): void;
  /** Writes `outcome` (the row's end), followed so an interruption waits for it rather than racing it. */
  settle(outcome: () => Promise<CronRun>): Promise<CronRun>;
  /** Row `rowId` is no longer in progress here (settled, or given up). */
  end(rowId: string): void;
  /** Whether row `rowId` is in progress here and not interrupted yet. */
  has(rowId: string): boolean;
  /**
   * Stores the rows in progress (only `rowId`, when given) `interrupted`, as the start-up sweep writes them, after
   * the outcomes being written meanwhile (a row that ended keeps its end). Each row once. Returns how many changed;
   * throws what the store throws.
   */
  interrupt(rowId?: string): Promise<number>;
}

export function createActiveRuns(store: () => SchedulerStore, clock: Clock): ActiveRuns {
  /** Row id -> job id. */
  const active = new Map<string, string>();
  const settling = new Set<Promise<unknown>>();
  return {
    begin: (rowId, jobId) => void active.set(rowId, jobId),
    async settle(outcome) {
      const writing = outcome();
      settling.add(writing);
      try {
        return await writing;
      } finally {
        settling.delete(writing);
      }
    },
    end: (rowId) => void active.delete(rowId),
    has: (rowId) => active.has(rowId),
    async interrupt(rowId) {
      if (rowId === undefined) await Promise.allSettled([...settling]);
      const rows = new Map([...active].filter(([id]) => rowId === undefined || id === rowId));
      for (const id of rows.keys()) active.delete(id);
      return await interruptOwnRuns(store(), rows, clock.nowMs());
    },
  };
}
