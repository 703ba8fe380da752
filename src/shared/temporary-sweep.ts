// The sweep of temporary files that writes cut short left in the data folder, done in slices beside requests.
import { lstatSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isTemporaryName } from './atomic-write';
import { timeSlices } from './event-loop';
import type { Logger } from './logger';
import { walkRealFiles } from './walk-files';

const removeFile = (path: string) => rmSync(path, { force: true });

/** Walking time after which the sweep gives the thread back (requests, timers) before it goes on. */
const SLICE_MS = 50;

export interface TemporarySweepOptions {
  /**
   * Only temporaries last modified before this time (ms since the epoch) go. A newer one may be another
   * process's write under way: a replica on the same folder, an export writing there. This process's own
   * writes never show here half done: each is made and renamed within one turn of the event loop.
   */
  modifiedBeforeMs: number;
  /** Asked between slices; true ends the sweep where it is (the server is stopping). */
  stopped?: () => boolean;
  /** Removes one file (default `rmSync`; a test makes it fail). */
  remove?: (path: string) => void;
  /** Told of each temporary that could not be looked at or removed (the sweep goes on). */
  onFailure?: (path: string, error: unknown) => void;
  /** Walking time after which the thread is given back (default 50 ms; a test sets 0: after every entry). */
  sliceMs?: number;
}

/**
 * Removes temporary files that `writeFileAtomic` (or the storage probe) left under `root` when a process died
 * mid-write: only names of the reserved form (a user's `.notes.md.0123456789ab.tmp` stays), only files modified
 * before `modifiedBeforeMs`. The walk never follows links (an agent's `knowledge/x -> /` must not send it across
 * the host, nor a loop stop it), skips folders it cannot read, and gives the thread back every 50 ms, so a data
 * folder of many agents and large knowledge trees does not hold the start or a request. Returns how many went.
 */
export async function removeStaleTemporaryFiles(root: string, options: TemporarySweepOptions): Promise<number> {
  const slices = timeSlices(options.sliceMs ?? SLICE_MS);
  let removed = 0;
  for (const path of walkRealFiles(root, '')) {
    if (slices.due) {
      await slices.next();
      if (options.stopped?.()) break;
    }
    if (!isTemporaryName(basename(path))) continue;
    const full = join(root, path);
    try {
      const modifiedMs = lstatSync(full, { throwIfNoEntry: false })?.mtimeMs;
      if (modifiedMs === undefined || modifiedMs >= options.modifiedBeforeMs) continue;
      (options.remove ?? removeFile)(full);
      removed++;
    } catch (error) {
      // One that cannot be looked at or removed (a folder without search or write permission) stays; the rest go.
      options.onFailure?.(path, error);
    }
  }
  return removed;
}

/** The sweep a server runs once, in the background after its start, and stops (and waits for) when it closes. */
export interface TemporarySweeper {
  /** Starts the sweep of `root` (see `removeStaleTemporaryFiles`); a second call does nothing. */
  start(modifiedBeforeMs: number): void;
  /** Ends the sweep at its next slice and resolves once it has. */
  stop(): Promise<void>;
}

export function createTemporarySweeper(root: string, logger: Logger): TemporarySweeper {
  let stopped = false;
  let sweeping: Promise<void> | null = null;
  return {
    start(modifiedBeforeMs) {
      let failed = 0;
      let firstFailure = '';
      const onFailure = (path: string, error: unknown) => {
        failed += 1;
        firstFailure ||= `${path}: ${String(error)}`;
      };
      sweeping ??= removeStaleTemporaryFiles(root, { modifiedBeforeMs, stopped: () => stopped, onFailure }).then(
        (removed) => {
          if (removed > 0) logger.warn('removed temporary files left by an interrupted write', { count: removed });
          if (failed > 0)
            logger.warn('temporary files left by an interrupted write could not be removed', {
              count: failed,
              first: firstFailure,
            });
        },
        (error: unknown) => logger.warn('the sweep of temporary files stopped', { error: String(error) }),
      );
    },
    async stop() {
      stopped = true;
      await sweeping;
    },
  };
}
