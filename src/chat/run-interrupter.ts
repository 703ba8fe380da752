// The server stopping under live runs: each ends `interrupted` in storage, its reply so far kept, before storage closes.
import { type AgentHandle, withLease } from '../agents';
import type { SessionPorts } from '../sessions';
import type { Clock } from '../shared/clock';
import { within } from '../shared/event-loop';
import type { Logger } from '../shared/logger';
import type { LiveRun } from './live-run';
import type { RunCheckpointPorts } from './run-checkpoint.port';
import type { RunPorts } from './run-store.port';
import type { TurnRecorder } from './turn-recorder';

type Ports = SessionPorts & RunPorts & RunCheckpointPorts;

/**
 * The most the interrupted runs' rows and replies may take to write: what a store has not written by then (a
 * PostgreSQL server gone) is left to the next start's sweep, as before.
 */
export const INTERRUPT_WRITES_MS = 300;

export interface RunInterrupterDeps {
  clock: Clock;
  logger: Logger;
}

export interface RunInterrupter {
  /** Follows `run`, a turn of `agent` on `sessionId`, from the start of its turn until it finishes. */
  follow(run: LiveRun, agent: AgentHandle<Ports>, sessionId: string): void;
  /** The run's recorder, once made; sealed at once (nothing more is written) when the run was interrupted before. */
  recording(run: LiveRun, recorder: TurnRecorder): void;
  /** Whether `interruptAll` ended the run: its row and reply are stored, and the run's own code writes neither. */
  isInterrupted(run: LiveRun): boolean;
  /**
   * The server stops with its storage: every followed run still live, but one paused for approvals with a
   * checkpoint (the next start restores it), stops writing, then its row becomes `interrupted` (finished now; as its
   * stored reply says when it had stored it and was only finishing its title or usage) and
   * its live snapshot, brought up to its last token, an `interrupted` reply (as the start-up sweep would keep it);
   * then it is cancelled (its model call and tool processes aborted). Resolves once that is written (or after
   * INTERRUPT_WRITES_MS), then once those runs have finished or `endMs` later, whichever comes first (0: at once;
   * what they do after storage closed fails quietly). Never rejects. Returns how many runs were stored interrupted.
   */
  interruptAll(endMs: number): Promise<number>;
}

interface Followed {
  agent: AgentHandle<Ports>;
  sessionId: string;
  recorder: TurnRecorder | null;
}

export function createRunInterrupter(deps: RunInterrupterDeps): RunInterrupter {
  const followed = new Map<LiveRun, Followed>();
  /** Runs interrupted, remembered past their end (a non-streamed turn reads it once the run is done, after `followed` let go). */
  const interrupted = new WeakSet<LiveRun>();

  const interrupt = (run: LiveRun, entry: Followed): Promise<boolean> =>
    withLease(entry.agent, async ({ storage }) => {
      const row = await storage.runs.get(run.runId);
      if (row?.status === 'waiting_approval' && (await storage.checkpoints.get(run.runId))) return false;
      interrupted.add(run);
      try {
        await entry.recorder?.seal(true);
        // A run that stored its reply (`done` sent) and was only finishing its title or usage ended as that reply
        // says; any other is `interrupted`. Final: the run's own end, if it comes, changes it no more (updates apply
        // only while a run is active).
        const status = entry.recorder?.storedAs ?? 'interrupted';
        await storage.runs.update(run.runId, { status, finishedMs: deps.clock.nowMs() });
        await storage.sessions.recoverInterrupted([entry.sessionId]);
        return true;
      } finally {
        // Also when a write failed: its row and snapshot are then the next start's to sweep, as before.
        run.cancel();
      }
    });

  return {
    follow(run, agent, sessionId) {
      followed.set(run, { agent, sessionId, recorder: null });
      void run.done.then(() => followed.delete(run));
    },
    recording(run, recorder) {
      const entry = followed.get(run);
      if (!entry) return;
      entry.recorder = recorder;
      if (interrupted.has(run)) void recorder.seal(false);
    },
    isInterrupted: (run) => interrupted.has(run),
    async interruptAll(endMs) {
      // A run interrupted by an earlier call (the stop's, then the close's) is not written again.
      const live = [...followed].filter(([run]) => !run.isFinished && !interrupted.has(run));
      if (live.length === 0) return 0;
      const started = performance.now();
      let stored = 0;
      const writes = live.map(async ([run, entry]) => {
        try {
          if (await interrupt(run, entry)) stored += 1;
        } catch (error) {
          deps.logger.warn('live run not stored as interrupted; the next start marks it', {
            agent_id: entry.agent.id,
            run_id: run.runId,
            error: String(error),
          });
        }
      });
      const written = await within(
        Promise.all(writes).then(() => true),
        INTERRUPT_WRITES_MS,
        false,
      );
      const finished = await within(
        Promise.all(live.map(([run]) => run.done)).then(() => true),
        endMs,
        false,
      );
      deps.logger.info('live runs ended interrupted as the server stops', {
        runs: live.length,
        stored,
        all_written: written,
        all_finished: finished,
        elapsed_ms: Math.round(performance.now() - started),
      });
      return stored;
    },
  };
}
