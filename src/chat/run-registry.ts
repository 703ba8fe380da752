// The live runs of this process, one per agent and session, each also holding the session's run lock in the Coordinator.
import { sessionRunLock, type Coordinator, type Lock } from '../coordination';
import { AppError } from '../shared/app-error';
import { LiveRun } from './live-run';

const busy = () => new AppError('session_busy', 'A streaming run is already active for this session.');

export interface ClaimedRun {
  run: LiveRun;
  attached: boolean;
}

export interface RunRegistry {
  /**
   * The live run for the same message (attach), a new run, or 409 `session_busy`. A new run takes the
   * session's lock; when another holder has it (another replica's run), 409 too.
   */
  claim(agentId: string, sessionId: string, message: string): Promise<ClaimedRun>;
  /** Whether a run is live on the session, here or (through the lock) anywhere. */
  isBusy(agentId: string, sessionId: string): Promise<boolean>;
  /** Resolves when every live run of this process has finished. */
  drain(): Promise<void>;
}

export function createRunRegistry(coordinator: Coordinator): RunRegistry {
  const runs = new Map<string, LiveRun>();
  return {
    async claim(agentId, sessionId, message) {
      const key = sessionRunLock(agentId, sessionId);
      const live = runs.get(key);
      if (live && !live.isFinished) {
        if (live.message.trim() === message.trim()) return { run: live, attached: true };
        throw busy();
      }
      // Reserved here before the lock is asked for, so a same-message request meanwhile attaches to it.
      const run = new LiveRun(key, message);
      runs.set(key, run);
      let lock: Lock | null = null;
      void run.done.then(() => {
        void lock?.release();
        if (runs.get(key) === run) runs.delete(key);
      });
      lock = await coordinator.tryLock(key);
      if (!lock) {
        run.finish();
        throw busy();
      }
      return { run, attached: false };
    },
    isBusy: async (agentId, sessionId) => {
      const key = sessionRunLock(agentId, sessionId);
      return runs.has(key) || (await coordinator.isLocked(key));
    },
    async drain() {
      await Promise.all([...runs.values()].map((run) => run.done));
    },
  };
}
