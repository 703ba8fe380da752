// With storage several replicas share: the background looks a replica takes at the others' work, started and stopped together.
import type { AgentDirectory } from '../agents';
import type { Coordinator } from '../coordination';
import type { Logger } from '../shared/logger';
import type { ChatPorts } from './chat-service.types';
import { startOrphanSweeper } from './orphaned-runs';
import { createRemoteCancel, type RemoteCancel } from './remote-cancel';
import type { RunRegistry } from './run-registry';

export interface ReplicaWatchDeps {
  agents: AgentDirectory<ChatPorts>;
  coordinator: Coordinator;
  runs: RunRegistry;
  logger: Logger;
  nowMs: () => number;
  /** How often to look (a few times per lease). */
  everyMs: number;
  /** How long a replica's locks outlive its last renewal. */
  leaseSeconds: number;
  /** Restores runs paused for approvals (a dead replica's included). */
  resumePaused: () => Promise<number>;
  /** Retires the handles of agents other replicas deleted, aborting their runs here (AgentRegistry.noticeDeletions). */
  noticeDeletions: () => string[];
}

export interface ReplicaWatch {
  /** Cancels a run another replica runs (for the runs service). */
  remoteCancel: RemoteCancel;
  /** Starts the orphan sweep and the look for cancels asked of this replica's runs. */
  start(): void;
  stop(): void;
}

export function createReplicaWatch(deps: ReplicaWatchDeps): ReplicaWatch {
  // The asker waits out a dead runner's lease: its run then ends `interrupted` by a sweep.
  const remoteCancel = createRemoteCancel({
    coordinator: deps.coordinator,
    registry: deps.runs,
    logger: deps.logger,
    everyMs: deps.everyMs,
    waitMs: deps.leaseSeconds * 2000 + 5000,
  });
  let running: { stop(): void }[] = [];
  return {
    remoteCancel,
    start() {
      running = [
        startOrphanSweeper({
          agents: deps.agents,
          coordinator: deps.coordinator,
          logger: deps.logger,
          nowMs: deps.nowMs,
          everyMs: deps.everyMs,
          resumePaused: deps.resumePaused,
        }),
        remoteCancel.watch(),
        watchDeletions(deps),
      ];
    },
    stop() {
      for (const watch of running) watch.stop();
      running = [];
    },
  };
}

/** Every `everyMs`, retires what other replicas deleted: this replica's runs of those agents end `agent_deleted`. */
function watchDeletions(deps: ReplicaWatchDeps): { stop(): void } {
  const timer = setInterval(() => {
    try {
      const gone = deps.noticeDeletions();
      if (gone.length > 0) deps.logger.info('agents deleted by another replica retired here', { agent_ids: gone });
    } catch (error) {
      deps.logger.warn('agents deleted by other replicas not looked for', { error: String(error) });
    }
  }, deps.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
