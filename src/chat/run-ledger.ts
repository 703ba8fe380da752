// Keeps a turn's row in the RunStore: stored `running` when the turn starts, settled with its outcome when it ends,
// and that final write, when storage refuses it (a full disk), kept and tried again until it lands.
import { type AgentHandle, withLease } from '../agents';
import { isAppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { createCrashBackoff } from '../shared/crash-backoff';
import type { Logger } from '../shared/logger';
import type { AgentTurnResult } from './run-agent';
import type { RunPorts, RunStatus, RunUpdate } from './run-store.port';

export interface RunLedgerEntry {
  runId: string;
  sessionId: string;
  trigger: string;
  model: string | null;
}

/** Timers for the retries (unref'd system timers by default; tests fire them by hand). */
export interface RunLedgerTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface RunLedgerDeps {
  clock: Clock;
  logger: Logger;
  timers?: RunLedgerTimers;
}

export interface RunLedger {
  /** Stores the run as `running`; a refused insert is logged (the turn goes on). */
  started(agent: AgentHandle<RunPorts>, entry: RunLedgerEntry): Promise<void>;
  /**
   * Stores how it ended: `completed`, `cancelled` or `failed` after the result, with its usage and attempts. Never
   * throws: a refused write is kept and tried again after 1 s, doubling to a minute, and at once after any later
   * write of the agent's runs lands; the retries stop when the agent is deleted or the ledger closes.
   */
  ended(
    agent: AgentHandle<RunPorts>,
    runId: string,
    result: AgentTurnResult | undefined,
    attempts: number,
  ): Promise<void>;
  /** The status a run ended with here while its final write waits for a retry; null when none waits. */
  unsettled(agentId: string, runId: string): RunStatus | null;
  /** Stops every retry (the server is closing); rows still `running` become `interrupted` at the next start. */
  close(): void;
}

/** The final status a turn's result stands for. */
export function runStatusOf(result: AgentTurnResult | undefined): RunStatus {
  if (result?.ok) return 'completed';
  return result?.error?.code === 'cancelled' ? 'cancelled' : 'failed';
}

const systemTimers: RunLedgerTimers = {
  // Unref'd: a retry waiting for disk space never keeps the process alive.
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** One agent's final writes waiting for storage, and the timer of their next try. */
interface Waiting {
  agent: AgentHandle<RunPorts>;
  writes: Map<string, RunUpdate>;
  timer: unknown;
  flushing: boolean;
  onDeleted: () => void;
}

/**
 * A run row that cannot be written does not fail the turn: the reply and the usage are stored elsewhere. A start
 * that cannot be written is logged; an end is kept for a retry (a row left `running` would say so until a restart).
 */
export function createRunLedger(deps: RunLedgerDeps): RunLedger {
  const { clock, logger } = deps;
  const timers = deps.timers ?? systemTimers;
  const backoff = createCrashBackoff();
  const waiting = new Map<string, Waiting>();
  let closed = false;

  /** Forgets the agent's waiting writes; with `only`, only if they are still those (not a re-created agent's). */
  const drop = (agentId: string, only?: Waiting) => {
    const entry = waiting.get(agentId);
    if (!entry || (only && entry !== only)) return;
    waiting.delete(agentId);
    if (entry.timer !== null) timers.clearTimeout(entry.timer);
    entry.agent.signal.removeEventListener('abort', entry.onDeleted);
    backoff.succeeded(agentId);
  };

  /** Whether a failed try means there is nowhere left to write: the agent was deleted or the server is closing. */
  const isGone = (entry: Waiting, error: unknown) =>
    closed ||
    entry.agent.signal.aborted ||
    (isAppError(error) && (error.code === 'agent_deleted' || error.code === 'not_ready'));

  /** Tries every waiting write of the agent, oldest first; on a failure the rest wait for the next try. */
  const flush = async (agentId: string) => {
    const entry = waiting.get(agentId);
    if (!entry || entry.flushing) return;
    entry.flushing = true;
    if (entry.timer !== null) timers.clearTimeout(entry.timer);
    entry.timer = null;
    try {
      for (const [runId, update] of entry.writes) {
        await withLease(entry.agent, (lease) => lease.storage.runs.update(runId, update));
        entry.writes.delete(runId);
        logger.info('run status stored after a retry', { agent_id: agentId, run_id: runId, status: update.status });
      }
      drop(agentId, entry);
    } catch (error) {
      if (isGone(entry, error)) return drop(agentId, entry);
      const { attempt, retryInMs } = backoff.failed(agentId);
      logger.warn('run status still not written; trying again', {
        agent_id: agentId,
        run_ids: [...entry.writes.keys()],
        attempt,
        retry_in_ms: retryInMs,
        error: String(error),
      });
      arm(entry, retryInMs);
    } finally {
      entry.flushing = false;
    }
  };

  const arm = (entry: Waiting, ms: number) => {
    entry.timer = timers.setTimeout(() => void flush(entry.agent.id), ms);
  };

  /** Keeps a refused final write for a retry (none once the agent is deleted or the ledger closed). */
  const keep = (agent: AgentHandle<RunPorts>, runId: string, update: RunUpdate, error: unknown) => {
    const existing = waiting.get(agent.id);
    const entry: Waiting = existing ?? {
      agent,
      writes: new Map(),
      timer: null,
      flushing: false,
      onDeleted: () => drop(agent.id, entry),
    };
    if (isGone(entry, error)) {
      logger.warn('run status not written', { run_id: runId, error: String(error) });
      return;
    }
    entry.writes.set(runId, update);
    const retryInMs = existing ? null : backoff.failed(agent.id).retryInMs;
    logger.warn('run status not written; trying again', {
      agent_id: agent.id,
      run_id: runId,
      retry_in_ms: retryInMs,
      error: String(error),
    });
    if (existing) return;
    waiting.set(agent.id, entry);
    agent.signal.addEventListener('abort', entry.onDeleted, { once: true });
    arm(entry, retryInMs!);
  };

  /** A write of the agent's runs landed: storage takes writes again, so what waits is tried now. */
  const landed = (agentId: string) => {
    if (waiting.has(agentId)) void flush(agentId);
  };

  return {
    async started(agent, entry) {
      try {
        await agent.storage.runs.insert({ ...entry, startedMs: clock.nowMs() });
        landed(agent.id);
      } catch (error) {
        logger.warn('run record not written', { run_id: entry.runId, error: String(error) });
      }
    },
    async ended(agent, runId, result, attempts) {
      const update: RunUpdate = {
        status: runStatusOf(result),
        finishedMs: clock.nowMs(),
        attempts: Math.max(1, attempts),
        model: result?.usage?.model ?? undefined,
        usage: result?.usage ? { ...result.usage } : null,
        error: result && !result.ok ? (result.error ?? null) : null,
      };
      try {
        await agent.storage.runs.update(runId, update);
        landed(agent.id);
      } catch (error) {
        keep(agent, runId, update, error);
      }
    },
    unsettled: (agentId, runId) => waiting.get(agentId)?.writes.get(runId)?.status ?? null,
    close() {
      closed = true;
      for (const agentId of [...waiting.keys()]) drop(agentId);
    },
  };
}
