// Cancelling a run another replica runs: the asker holds the run's cancel lock, the running replica sees it and stops.
import { runCancelLock, type Coordinator } from '../coordination';
import { AppError } from '../shared/app-error';
import type { Logger } from '../shared/logger';
import type { RunRegistry } from './run-registry';
import { isActiveRunStatus, type RunRecord, type RunStore } from './run-store.port';

export interface RemoteCancelDeps {
  coordinator: Coordinator;
  registry: RunRegistry;
  logger: Logger;
  /** How often this replica looks for cancels asked elsewhere, and how often an asker reads the run. */
  everyMs: number;
  /** How long an asker waits for the run to end (the running replica may have died: its lease must lapse first). */
  waitMs: number;
}

export interface RemoteCancel {
  /** Asks the replica running `runId` to stop it and resolves with the ended run; 409 `run_not_active` if it does not end in time. */
  cancel(agentId: string, runId: string, runs: RunStore): Promise<RunRecord>;
  /** Starts looking for cancels asked of this replica's live runs; `stop` ends it. */
  watch(): { stop(): void };
}

export function createRemoteCancel(deps: RemoteCancelDeps): RemoteCancel {
  return {
    async cancel(agentId, runId, runs) {
      // Null: someone else asked already and holds the lock; waiting for the end is the same.
      const lock = await deps.coordinator.tryLock(runCancelLock(agentId, runId));
      try {
        const deadline = performance.now() + deps.waitMs;
        for (;;) {
          const run = await runs.get(runId);
          if (!run || !isActiveRunStatus(run.status)) {
            if (run) return run;
            throw new AppError('run_not_active', `Run ${runId} is gone.`, { run_id: runId });
          }
          if (performance.now() >= deadline)
            throw new AppError(
              'run_not_active',
              `Run ${runId} did not stop within ${Math.round(deps.waitMs / 1000)} s on the replica running it.`,
              { run_id: runId, status: run.status },
            );
          await Bun.sleep(deps.everyMs);
        }
      } finally {
        await lock?.release();
      }
    },
    watch() {
      let looking = false;
      const look = async () => {
        if (looking) return;
        looking = true;
        try {
          for (const { agentId, run } of deps.registry.liveRuns())
            if (await deps.coordinator.isLocked(runCancelLock(agentId, run.runId))) run.cancel();
        } catch (error) {
          deps.logger.warn('cancels asked by other replicas not looked for', { error: String(error) });
        } finally {
          looking = false;
        }
      };
      const timer = setInterval(() => void look(), deps.everyMs);
      timer.unref();
      return { stop: () => clearInterval(timer) };
    },
  };
}
