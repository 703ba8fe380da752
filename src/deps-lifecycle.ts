// The composition root's side effects: what `start()` does after buildDeps, and the one `close()` that undoes it.
import { mkdirSync, statSync } from 'node:fs';
import type { ReplicaWatch, RunLedger } from './chat';
import type { Deps } from './deps.types';
import { PROBE_STOPPED } from './security';
import type { TemporarySweeper } from './shared/temporary-sweep';

/** The parts that start and stop; `ownsCoordinator` is false for a coordinator a test passed in (it closes it). */
export type LifecycleParts = Pick<
  Deps,
  | 'logger'
  | 'storage'
  | 'configStore'
  | 'agents'
  | 'sandbox'
  | 'retrieval'
  | 'scheduler'
  | 'chat'
  | 'coordinator'
  | 'state'
> & {
  dataDir: string;
  /** APP_INDEX_DIR when set: made at start, so a path that can be no folder stops the start (searches were 500). */
  indexDir: string | null;
  replicaWatch: ReplicaWatch | null;
  runLedger: RunLedger;
  ownsCoordinator: boolean;
  /** The sweep of temporaries that writes cut short left in the data folder. */
  temporaries: TemporarySweeper;
};

/**
 * With a shared database the data folder is shared too: another replica's write under way has a temporary file
 * there, modified within moments. Temporaries older than this before the start are safe to remove.
 */
const SHARED_FOLDER_GRACE_MS = 10 * 60_000;

/** Makes APP_INDEX_DIR (or finds it there); a file in its place, or a path that cannot be made, stops the start. */
function makeIndexDir(indexDir: string): void {
  try {
    mkdirSync(indexDir, { recursive: true });
    if (!statSync(indexDir).isDirectory()) throw new Error('not a folder');
  } catch (error) {
    const reason = (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));
    throw new Error(`APP_INDEX_DIR ${indexDir} cannot be the retrieval index's folder (${reason})`, { cause: error });
  }
}

/** `Deps.start`: see its description in deps.types.ts. */
export async function startParts(parts: LifecycleParts): Promise<void> {
  const { logger, chat, sandbox } = parts;
  // File times are the system's: the sweep compares them with this, not with the (maybe injected) clock.
  const startedMs = Date.now();
  mkdirSync(parts.dataDir, { recursive: true });
  if (parts.indexDir) makeIndexDir(parts.indexDir);
  await parts.storage.start();
  parts.configStore.start();
  parts.agents.start();
  // Bubblewrap's trial calls run while start-up goes on and the server listens; nothing here waits for them.
  void sandbox.probed().then(
    (status) => {
      // A probe stopped because the server is stopping found nothing to warn about.
      if (status.available || status.reason === PROBE_STOPPED) return;
      if (sandbox.retryReason())
        return logger.warn(
          `terminal and python_repl are refused for now: ${status.reason}; their next use tries again`,
        );
      logger.warn(
        `terminal and python_repl are refused: ${status.reason} (tool_sandbox.mode off runs them unsandboxed)`,
      );
    },
    (error: unknown) => logger.warn('the sandbox probe failed; its next use tries again', { error: String(error) }),
  );
  // One pass over the agents opens each agent's storage once: with more agents than may stay open, every pass
  // of its own opened each again (2,000 agents at 32 open: four interleaved passes, 16 s before listening).
  // Runs paused for approvals before a restart take their sessions again before the server is ready (a
  // decision may come at once) and before queued messages could; those then run, in the background, each
  // session's started before the server listens (a new message must not run ahead of them).
  let paused = 0;
  await parts.scheduler.start(async (agentId) => {
    paused += await chat.resumePaused([agentId]);
    await chat.resumeQueued([agentId]);
  });
  if (paused > 0) logger.info('runs paused for approvals restored', { runs: paused });
  // The first index pass, in the background, once the agents have started.
  void parts.retrieval.start();
  // Temporaries left by writes a crash cut short, in the background too (a walk of every workspace held the start
  // 1.9 s of 19 with 2,000 agents). Alone on the folder (the lock), all from before this start are leftovers.
  parts.temporaries.start(parts.replicaWatch ? startedMs - SHARED_FOLDER_GRACE_MS : startedMs);
  parts.replicaWatch?.start();
  parts.state.ready = true;
}

/** `Deps.drain` and `Deps.close` for these parts: see their descriptions in deps.types.ts. */
export function partsStopper(parts: LifecycleParts): Pick<Deps, 'drain' | 'interruptLive' | 'close'> {
  let quiet = false;
  /** Not ready, and no new scheduled runs nor runs taken over from another replica (once). */
  const quiesce = () => {
    if (quiet) return;
    quiet = true;
    parts.state.ready = false;
    parts.replicaWatch?.stop();
    parts.scheduler.close();
  };
  let closing: Promise<void> | null = null;
  /**
   * Live chat runs and the scheduler's runs in progress end `interrupted`, side by side (a cron run's turn is a chat
   * run too: whichever write comes first stands). Returns how many chat runs were stored so.
   */
  const interruptLive = async (endMs: number) => {
    const [runs] = await Promise.all([parts.chat.interruptLive(endMs), parts.scheduler.interruptLive()]);
    return runs;
  };
  return {
    async drain() {
      quiesce();
      await Promise.all([parts.chat.drain(), parts.scheduler.drain()]);
    },
    interruptLive: (endMs) => interruptLive(endMs),
    close: () =>
      (closing ??= (async () => {
        try {
          quiesce();
          // Runs still live (the drain's time is up, or there was none) end `interrupted` while storage is open.
          await interruptLive(0);
          parts.retrieval.close();
          await parts.temporaries.stop();
          // Final statuses still waiting for storage are not tried again: the next start marks their rows interrupted.
          parts.runLedger.close();
          // A probe still running would leave its scratch agent in the workspaces folder when the process exits.
          await parts.sandbox.stopProbe();
          parts.agents.close();
          if (parts.ownsCoordinator) await parts.coordinator.close();
        } finally {
          // Whatever failed before, the storage closes (and lets go of the data folder's lock).
          await parts.storage.close();
        }
      })()),
  };
}
