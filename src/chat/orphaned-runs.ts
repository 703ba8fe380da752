// Live snapshots whose run died with its replica: kept as `interrupted` replies once nobody holds the session's run lock.
import type { AgentDirectory } from '../agents';
import { sessionRunLock, type Coordinator } from '../coordination';
import type { SessionPorts, SessionStore } from '../sessions';
import type { Logger } from '../shared/logger';
import { expireApproval } from './approval-decisions';
import type { ApprovalPorts } from './approval-store.port';
import type { RunCheckpointPorts } from './run-checkpoint.port';
import type { RunPorts } from './run-store.port';

/** What the recovery of live snapshots reads and writes: the sessions, and the runs paused with a checkpoint. */
type OrphanPorts = { sessions: Pick<SessionStore, 'liveSessionIds' | 'recoverInterrupted'> } & RunPorts &
  RunCheckpointPorts;

/**
 * For each session of `agentId` holding a live snapshot, takes the session's run lock: a live run (here
 * or on another replica) holds it, renewed as a lease, so a lock taken means the run's process is gone.
 * Under the lock the snapshot becomes an `interrupted` reply, unless the session's run waits for approvals
 * with a checkpoint: a replica restores that run (see `restorePausedRuns`), which goes on from its snapshot.
 * Returns how many were recovered.
 */
export async function recoverOrphanedRuns(
  coordinator: Coordinator,
  agentId: string,
  storage: OrphanPorts,
): Promise<number> {
  let recovered = 0;
  for (const sessionId of await storage.sessions.liveSessionIds()) {
    const lock = await coordinator.tryLock(sessionRunLock(agentId, sessionId));
    if (!lock) continue;
    try {
      // Its holder's lease may have lapsed only after this pass's restore found the session taken: the next pass restores it.
      if (await hasPausedRun(storage, sessionId)) continue;
      recovered += await storage.sessions.recoverInterrupted([sessionId]);
    } finally {
      await lock.release();
    }
  }
  return recovered;
}

/** Whether a run of the session waits for approvals with a checkpoint (one the row sweep below leaves alone too). */
async function hasPausedRun(storage: RunPorts & RunCheckpointPorts, sessionId: string): Promise<boolean> {
  const { runs } = await storage.runs.list({ sessionId, status: 'waiting_approval' }, 10);
  for (const run of runs) if (await storage.checkpoints.get(run.runId)) return true;
  return false;
}

/**
 * Run rows still active whose session lock is free: their replica died mid-run (a live run holds the lock
 * from before its row is stored until after the row is final). Each becomes `interrupted`, and its pending
 * approvals expire. A run paused for approvals with a checkpoint is left alone: a replica restores it (see
 * `restorePausedRuns`). Returns how many.
 */
export async function interruptOrphanedRunRows(
  coordinator: Coordinator,
  agentId: string,
  storage: RunPorts & ApprovalPorts & RunCheckpointPorts,
  nowMs: number,
): Promise<number> {
  const active = [
    ...(await storage.runs.list({ status: 'running' }, 200)).runs,
    ...(await storage.runs.list({ status: 'waiting_approval' }, 200)).runs,
  ];
  let interrupted = 0;
  for (const run of active) {
    if (run.status === 'waiting_approval' && (await storage.checkpoints.get(run.runId))) continue;
    // Only looked at, never taken: a sweep holding a session's lock, even briefly, would turn a run starting
    // on it (a catch-up, a chat) away as busy. The update below changes this run id only, and only while active.
    if (await coordinator.isLocked(sessionRunLock(agentId, run.sessionId))) continue;
    if (!(await storage.runs.update(run.runId, { status: 'interrupted', finishedMs: nowMs }))) continue;
    interrupted += 1;
    for (const approval of await storage.approvals.list({ status: 'pending', runId: run.runId }, 200))
      await expireApproval(storage.approvals, approval.approvalId, nowMs, 'the replica running it stopped');
  }
  return interrupted;
}

export interface OrphanSweeperDeps {
  agents: AgentDirectory<SessionPorts & RunPorts & ApprovalPorts & RunCheckpointPorts>;
  /** Restores the paused runs no replica holds (their replica died); before anything else is recovered. */
  resumePaused?: () => Promise<number>;
  coordinator: Coordinator;
  logger: Logger;
  nowMs: () => number;
  everyMs: number;
  /** The agents holding a live snapshot now; without it every agent is looked at. */
  liveAgents?: () => Promise<Set<string>>;
}

/**
 * With storage several replicas share: every `everyMs`, recovers the live snapshots of runs whose replica
 * died (see `recoverOrphanedRuns`) in every agent. `stop` ends it. One pass at a time.
 */
export function startOrphanSweeper(deps: OrphanSweeperDeps): { stop(): void } {
  let sweeping = false;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      // First: a paused run restored here takes its session's lock (one still held elsewhere is skipped below too).
      const restored = await deps.resumePaused?.();
      if (restored) deps.logger.warn('paused runs of a stopped replica restored here', { runs: restored });
      const live = await deps.liveAgents?.();
      for (const agentId of deps.agents.ids()) {
        if (live && !live.has(agentId)) continue;
        try {
          const agent = deps.agents.get(agentId);
          using lease = agent.lease();
          const recovered = await recoverOrphanedRuns(deps.coordinator, agentId, lease.storage);
          if (recovered > 0)
            deps.logger.warn('chat runs of a stopped replica kept as interrupted replies', {
              agent_id: agentId,
              sessions: recovered,
            });
          const runs = await interruptOrphanedRunRows(deps.coordinator, agentId, lease.storage, deps.nowMs());
          if (runs > 0) deps.logger.warn('runs of a stopped replica marked interrupted', { agent_id: agentId, runs });
        } catch (error) {
          deps.logger.warn('orphaned chat runs not recovered', { agent_id: agentId, error: String(error) });
        }
      }
    } catch (error) {
      deps.logger.warn('orphaned chat runs not looked for', { error: String(error) });
    } finally {
      sweeping = false;
    }
  };
  const timer = setInterval(() => void sweep(), deps.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
