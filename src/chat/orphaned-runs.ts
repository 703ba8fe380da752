// Live snapshots whose run died with its replica: kept as `interrupted` replies once nobody holds the session's run lock.
import type { AgentDirectory } from '../agents';
import { sessionRunLock, type Coordinator } from '../coordination';
import type { SessionPorts, SessionStore } from '../sessions';
import type { Logger } from '../shared/logger';

/**
 * For each session of `agentId` holding a live snapshot, takes the session's run lock: a live run (here
 * or on another replica) holds it, renewed as a lease, so a lock taken means the run's process is gone.
 * Under the lock the snapshot becomes an `interrupted` reply. Returns how many were recovered.
 */
export async function recoverOrphanedRuns(
  coordinator: Coordinator,
  agentId: string,
  sessions: Pick<SessionStore, 'liveSessionIds' | 'recoverInterrupted'>,
): Promise<number> {
  let recovered = 0;
  for (const sessionId of await sessions.liveSessionIds()) {
    const lock = await coordinator.tryLock(sessionRunLock(agentId, sessionId));
    if (!lock) continue;
    try {
      recovered += await sessions.recoverInterrupted([sessionId]);
    } finally {
      await lock.release();
    }
  }
  return recovered;
}

export interface OrphanSweeperDeps {
  agents: AgentDirectory<SessionPorts>;
  coordinator: Coordinator;
  logger: Logger;
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
      const live = await deps.liveAgents?.();
      for (const agentId of deps.agents.ids()) {
        if (live && !live.has(agentId)) continue;
        try {
          const agent = deps.agents.get(agentId);
          using lease = agent.lease();
          const recovered = await recoverOrphanedRuns(deps.coordinator, agentId, lease.storage.sessions);
          if (recovered > 0)
            deps.logger.warn('chat runs of a stopped replica kept as interrupted replies', {
              agent_id: agentId,
              sessions: recovered,
            });
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
