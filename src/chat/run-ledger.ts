// Keeps a turn's row in the RunStore: stored `running` when the turn starts, settled with its outcome when it ends.
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import type { AgentTurnResult } from './run-agent';
import type { RunStatus, RunStore } from './run-store.port';

export interface RunLedgerEntry {
  runId: string;
  sessionId: string;
  trigger: string;
  model: string | null;
}

export interface RunLedger {
  /** Stores the run as `running`. */
  started(store: () => RunStore, entry: RunLedgerEntry): Promise<void>;
  /** Stores how it ended: `completed`, `cancelled` or `failed` after the result, with its usage and attempts. */
  ended(store: () => RunStore, runId: string, result: AgentTurnResult | undefined, attempts: number): Promise<void>;
}

/** The final status a turn's result stands for. */
export function runStatusOf(result: AgentTurnResult | undefined): RunStatus {
  if (result?.ok) return 'completed';
  return result?.error?.code === 'cancelled' ? 'cancelled' : 'failed';
}

/**
 * A run row that cannot be written (the agent was deleted, the server is closing, the disk is full) does not fail the turn: the
 * reply and the usage are stored elsewhere; the problem is logged.
 */
export function createRunLedger(clock: Clock, logger: Logger): RunLedger {
  const guarded = async (runId: string, write: () => Promise<unknown>) => {
    try {
      await write();
    } catch (error) {
      logger.warn('run record not written', { run_id: runId, error: String(error) });
    }
  };
  return {
    started: (store, entry) => guarded(entry.runId, () => store().insert({ ...entry, startedMs: clock.nowMs() })),
    ended: (store, runId, result, attempts) =>
      guarded(runId, () =>
        store().update(runId, {
          status: runStatusOf(result),
          finishedMs: clock.nowMs(),
          attempts: Math.max(1, attempts),
          model: result?.usage?.model ?? undefined,
          usage: result?.usage ? { ...result.usage } : null,
          error: result && !result.ok ? (result.error ?? null) : null,
        }),
      ),
  };
}
