// The heartbeat's final rows (stored and logged), the tick whose turn runs now, and its end when the server stops.
import { join } from 'node:path';
import type { AgentHandle } from '../agents';
import type { Lock } from '../coordination';
import { AGENT_STORAGE_FOLDER, HEARTBEAT_RUNS_LOG } from '../shared/agent-storage';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { createRunLog } from './run-log';
import type { HeartbeatRun, HeartbeatStore } from './scheduler.port';
import type { SchedulerStorage } from './scheduler-storage';

/** Rows kept per agent; older ones are dropped as new ones arrive. */
export const HEARTBEAT_RUN_RETENTION = 5000;

/** Why a tick left waiting for an approval ends `interrupted` (at the stop, or by the next start's sweep). */
export const WAITING_TICK_REASON =
  'The server stopped while the tick waited for an approval; its turn goes on in its session once decided';
/** Why a tick whose turn was running ends `interrupted`. */
export const STOPPED_TICK_REASON = 'The server stopped before the tick finished';

/**
 * Heartbeat rows left `waiting_approval` by a stopped process (their session's run lock, taken with `claim`, is
 * free): the tick's turn goes on in its session once decided, but the tick itself is over, so the row says
 * `interrupted`. Returns how many rows changed.
 */
export async function recoverWaitingTicks(
  heartbeats: HeartbeatStore,
  claim: (sessionId: string) => Promise<Lock | null>,
): Promise<number> {
  const free: string[] = [];
  for (const sessionId of await heartbeats.waitingSessions()) {
    const lock = await claim(sessionId);
    if (!lock) continue;
    free.push(sessionId);
    await lock.release();
  }
  return await heartbeats.interruptWaiting(free, WAITING_TICK_REASON);
}

export interface LiveTickDeps {
  agent: AgentHandle<SchedulerStorage>;
  clock: Clock;
  logger: Logger;
}

export interface LiveTick {
  /** The turn waits for approvals (`waiting`) or goes on: its `waiting_approval` row is stored or removed. */
  onApprovalWait(waiting: boolean, runId: string): Promise<void>;
  /** The turn ended: the row the stop stored for the tick (the caller records nothing more), or null. */
  end(): HeartbeatRun | null;
}

export interface LiveTicks {
  /** The turn of the tick `row` describes (its status aside) starts. */
  start(row: HeartbeatRun): LiveTick;
  /**
   * Stores `run` as a tick's final row (kept to the newest HEARTBEAT_RUN_RETENTION) and logs it; followed so an
   * interruption waits for it rather than racing it. A row storage refuses is logged, never thrown.
   */
  record(run: HeartbeatRun): Promise<HeartbeatRun>;
  /**
   * The server stops: the tick whose turn runs ends `interrupted` (a row waiting for an approval becomes so, as the
   * start-up sweep does it; a running turn gets its row now), once; a tick already ending is waited for. Returns how
   * many rows that wrote; throws what the store throws.
   */
  interrupt(): Promise<number>;
}

export function createLiveTicks(deps: LiveTickDeps): LiveTicks {
  const { agent, logger } = deps;
  // Asked on every use: the agent's storage may have been closed while idle and opened again.
  const store = () => agent.storage.heartbeats;
  const runLog = createRunLog(join(agent.root, AGENT_STORAGE_FOLDER, HEARTBEAT_RUNS_LOG), logger);
  const recordNow = async (run: HeartbeatRun): Promise<HeartbeatRun> => {
    // A tick whose agent was deleted under it has nowhere to record (and must not re-create its folder with the log).
    if (agent.signal.aborted) return run;
    try {
      await store().insert(run, HEARTBEAT_RUN_RETENTION);
    } catch (error) {
      logger.error('heartbeat row not stored', { agent_id: agent.id, error: String(error) });
    }
    runLog.append({
      timestamp_ms: run.timestampMs,
      status: run.status,
      timezone: run.timezone,
      details: run.details,
      trigger: run.trigger,
      run_id: run.runId,
      duration_ms: run.durationMs,
      schedule_lag_ms: run.scheduleLagMs,
    });
    return run;
  };
  let live: { row: HeartbeatRun; waiting: boolean; stored: HeartbeatRun | null } | null = null;
  const recording = new Set<Promise<unknown>>();
  return {
    start(row) {
      const tick = { row, waiting: false, stored: null as HeartbeatRun | null };
      live = tick;
      return {
        async onApprovalWait(waiting, runId) {
          tick.waiting = waiting;
          tick.row = { ...tick.row, runId };
          await store().setWaiting({ ...tick.row, timestampMs: deps.clock.nowMs() }, waiting);
        },
        end() {
          if (live === tick) live = null;
          return tick.stored;
        },
      };
    },
    async record(run) {
      const writing = recordNow(run);
      recording.add(writing);
      try {
        return await writing;
      } finally {
        recording.delete(writing);
      }
    },
    async interrupt() {
      const tick = live;
      live = null;
      if (!tick) {
        await Promise.allSettled([...recording]);
        return 0;
      }
      const reason = tick.waiting ? WAITING_TICK_REASON : STOPPED_TICK_REASON;
      const sessionId = tick.row.sessionId;
      tick.stored = {
        ...tick.row,
        timestampMs: deps.clock.nowMs(),
        status: 'interrupted',
        details: { session_id: sessionId, reason },
      };
      if (tick.waiting) return sessionId === null ? 0 : await store().interruptWaiting([sessionId], reason);
      await recordNow(tick.stored);
      return 1;
    },
  };
}
