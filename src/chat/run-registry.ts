// The live runs of this process, one per agent and session, each also holding the session's run lock in the
// Coordinator; finished runs stay findable by id for a while so clients can replay them.
import { sessionRunLock, type Coordinator, type Lock } from '../coordination';
import type { SessionRunHolds } from '../sessions';
import { AppError } from '../shared/app-error';
import { LiveRun } from './live-run';

const busy = () => new AppError('session_busy', 'A streaming run is already active for this session.');

/** How long a finished run's events stay replayable. */
export const FINISHED_RUN_RETENTION_MS = 10 * 60_000;
/** How often a session held by another replica is checked for being free again. */
const LOCK_POLL_MS = 250;
/** At most this many finished runs are kept for replay (the oldest go first). */
const FINISHED_RUN_LIMIT = 256;
/** Characters (see LiveRun's charsOf) all finished runs kept for rejoining may hold together; the oldest go first. */
export const FINISHED_RUN_CHARS = 32_000_000;

export interface ClaimedRun {
  run: LiveRun;
  attached: boolean;
}

/** What a paused run restored goes on with: the message it was started with, and the number of its next event. */
export interface RestoredRun {
  message: string;
  firstSeq: number;
}

export interface RunRegistry extends SessionRunHolds {
  /**
   * The live run for the same message (attach, unless `attach` is false), a new run, or 409 `session_busy`.
   * A new run takes the session's lock; when another holder has it (another replica's run), 409 too.
   */
  claim(agentId: string, sessionId: string, message: string, attach?: boolean): Promise<ClaimedRun>;
  /**
   * Takes the session again for a paused run restored after a restart, then reads with `load`, under the
   * session's lock, whether the run still waits: null (the lock let go of) when it does not; otherwise the run
   * keeps its id and numbers its events from `firstSeq`. 409 `session_busy` when the session is taken.
   */
  restore(
    agentId: string,
    sessionId: string,
    runId: string,
    load: () => Promise<RestoredRun | null>,
  ): Promise<LiveRun | null>;
  /** Resolves once no run holds the session: the live one here has ended and let go of its lock (polls another holder's). */
  whenFree(agentId: string, sessionId: string): Promise<void>;
  /** The run of this process with id `runId` of agent `agentId`: live, or finished within the retention. */
  find(agentId: string, runId: string): LiveRun | null;
  /** The live run of the session in this process, if any. */
  live(agentId: string, sessionId: string): LiveRun | null;
  /** Resolves when every live run of this process has finished. */
  drain(): Promise<void>;
  /** Every run of this process that has not finished, with its agent. */
  liveRuns(): { agentId: string; run: LiveRun }[];
  // isBusy and hold (SessionRunHolds): a run another replica holds makes a hold 409, cancel or not.
}

/** 409 for a session whose run keeps it from being archived or deleted now (`run_id` when the run is here). */
const held = (sessionId: string, runId: string | null, elsewhere: boolean) =>
  new AppError(
    'session_busy',
    elsewhere
      ? `Session ${sessionId} is held on another replica (a live run, or an archive or delete under way); cancel its run (POST /api/runs/{run_id}/cancel) or decide its approvals first.`
      : `Session ${sessionId} has a live run; cancel it (POST /api/runs/${runId}/cancel) or decide its approvals and let it finish first.`,
    { session_id: sessionId, ...(elsewhere ? { held_by: 'another_replica' } : { run_id: runId }) },
  );

export function createRunRegistry(
  coordinator: Coordinator,
  options: { retentionMs?: number; bufferLimit?: number; finishedChars?: number } = {},
): RunRegistry {
  const retentionMs = options.retentionMs ?? FINISHED_RUN_RETENTION_MS;
  const finishedChars = options.finishedChars ?? FINISHED_RUN_CHARS;
  const runs = new Map<string, LiveRun>();
  /** Resolves when a run's lock has been let go of, after it finished. */
  const released = new WeakMap<LiveRun, Promise<void>>();
  /** Every run by `<agent>\n<run id>`, live or recently finished, in the order they started. */
  const byId = new Map<string, LiveRun>();
  const idKey = (agentId: string, runId: string) => `${agentId}\n${runId}`;
  /** Sessions held by `hold`, each with a promise that settles when the hold ends and what aborts its work. */
  const holds = new Map<string, { ended: Promise<unknown>; abort: AbortController }>();

  const prune = () => {
    const now = performance.now();
    let finished = 0;
    let chars = 0;
    for (const run of byId.values())
      if (run.isFinished) {
        finished += 1;
        chars += run.retainedChars;
      }
    // The runs that finished first go first (a long run started early and just finished stays for its rejoin).
    const ended = [...byId].filter(([, run]) => run.finishedAt !== null);
    ended.sort(([, a], [, b]) => a.finishedAt! - b.finishedAt!);
    for (const [key, run] of ended) {
      if (now - run.finishedAt! < retentionMs && finished <= FINISHED_RUN_LIMIT && chars <= finishedChars) continue;
      byId.delete(key);
      finished -= 1;
      chars -= run.retainedChars;
    }
  };

  /**
   * Makes `run` the session's live run and takes the session's lock for it (409 when another holder has it),
   * unless the lock is `taken` for it already.
   */
  const open = async (agentId: string, key: string, run: LiveRun, taken?: Lock): Promise<LiveRun> => {
    prune();
    // Reserved here before the lock is asked for, so a same-message request meanwhile attaches to it.
    runs.set(key, run);
    let lock: Lock | null = null;
    released.set(
      run,
      run.done.then(async () => {
        // Still listed until the lock is let go of, so a hold waits for that rather than finding the lock taken.
        try {
          await lock?.release();
        } finally {
          if (runs.get(key) === run) runs.delete(key);
        }
      }),
    );
    lock = taken ?? (await coordinator.tryLock(key));
    if (!lock) {
      run.finish();
      throw busy();
    }
    byId.set(idKey(agentId, run.runId), run);
    return run;
  };

  return {
    async claim(agentId, sessionId, message, attach = true) {
      const key = sessionRunLock(agentId, sessionId);
      if (holds.has(key)) throw busy();
      const live = runs.get(key);
      if (live && !live.isFinished) {
        if (attach && live.message.trim() === message.trim()) return { run: live, attached: true };
        throw busy();
      }
      return { run: await open(agentId, key, new LiveRun(key, message, options.bufferLimit)), attached: false };
    },
    async restore(agentId, sessionId, runId, load) {
      const key = sessionRunLock(agentId, sessionId);
      if (holds.has(key) || runs.get(key)?.isFinished === false) throw busy();
      // The lock first: a replica that restored the run before it may have decided and finished it since.
      const lock = await coordinator.tryLock(key);
      if (!lock) throw busy();
      const restored = await load().catch(async (error: unknown) => {
        await lock.release();
        throw error;
      });
      if (!restored) {
        await lock.release();
        return null;
      }
      const run = new LiveRun(key, restored.message, options.bufferLimit, runId, restored.firstSeq);
      return open(agentId, key, run, lock);
    },
    liveRuns() {
      const live: { agentId: string; run: LiveRun }[] = [];
      for (const [key, run] of byId) if (!run.isFinished) live.push({ agentId: key.split('\n')[0]!, run });
      return live;
    },
    isBusy: async (agentId, sessionId) => {
      const key = sessionRunLock(agentId, sessionId);
      return runs.has(key) || holds.has(key) || (await coordinator.isLocked(key));
    },
    async whenFree(agentId, sessionId) {
      const key = sessionRunLock(agentId, sessionId);
      for (;;) {
        const live = runs.get(key);
        const hold = holds.get(key);
        if (live) await (released.get(live) ?? live.done);
        else if (hold) await hold.ended.catch(() => undefined);
        else if (await coordinator.isLocked(key)) await Bun.sleep(LOCK_POLL_MS);
        else return;
      }
    },
    find(agentId, runId) {
      prune();
      return byId.get(idKey(agentId, runId)) ?? null;
    },
    live(agentId, sessionId) {
      const run = runs.get(sessionRunLock(agentId, sessionId));
      return run && !run.isFinished ? run : null;
    },
    async hold(agentId, sessionId, options, work) {
      const key = sessionRunLock(agentId, sessionId);
      for (;;) {
        const live = runs.get(key);
        const other = holds.get(key);
        if (other) {
          if (options.cancel) other.abort.abort();
          await other.ended.catch(() => undefined);
        } else if (live && !live.isFinished && !options.cancel) throw held(sessionId, live.runId, false);
        else if (live) {
          live.cancel();
          await (released.get(live) ?? live.done);
        } else break;
      }
      let end!: () => void;
      const abort = new AbortController();
      holds.set(key, { ended: new Promise<void>((resolve) => (end = resolve)), abort });
      try {
        const lock = await coordinator.tryLock(key);
        if (!lock) throw held(sessionId, null, true);
        try {
          return await work(abort.signal);
        } finally {
          await lock.release();
        }
      } finally {
        holds.delete(key);
        end();
      }
    },
    async drain() {
      await Promise.all([...runs.values()].map((run) => run.done));
    },
  };
}
