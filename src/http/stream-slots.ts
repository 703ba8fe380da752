// How many rejoin streams may be open at once, on one run and on the whole server; past either, 429 `too_many_streams`.
import type { RejoinStreamLimits } from '../config';
import { AppError } from '../shared/app-error';

/**
 * Seconds a refused client is asked to wait: a slot frees when another stream ends (its run ends, its client
 * leaves), which no clock says, so a short constant keeps retries sparse without leaving a client waiting long.
 */
export const STREAM_RETRY_AFTER_SECONDS = 5;

/** A taken slot; `release` gives it back (again and again is harmless). */
export interface StreamSlot {
  release(): void;
}

export interface StreamSlots {
  /**
   * A slot for one more stream of `runId`; throws 429 `too_many_streams` (`details.scope`: `run` or `server`, and the
   * limit) when the run or the server already has as many streams open as it may.
   */
  take(runId: string): StreamSlot;
  /** Streams open now, on the whole server. */
  readonly size: number;
}

/** The refusal for a stream past `limit`, on `runId` or on the server. */
function tooManyStreams(runId: string, scope: 'run' | 'server', limit: number): AppError {
  const where = scope === 'run' ? `for run ${runId}` : 'on this server';
  return new AppError(
    'too_many_streams',
    `Too many open event streams ${where} (limit ${limit}); close one or try again later.`,
    { run_id: runId, scope, limit, retry_after_seconds: STREAM_RETRY_AFTER_SECONDS },
  );
}

/** Slots under `limits`: each run counts its own open streams, and all of them count towards the server's. */
export function createStreamSlots(limits: RejoinStreamLimits): StreamSlots {
  const perRun = new Map<string, number>();
  let total = 0;
  return {
    take(runId) {
      const open = perRun.get(runId) ?? 0;
      if (open >= limits.perRun) throw tooManyStreams(runId, 'run', limits.perRun);
      if (total >= limits.total) throw tooManyStreams(runId, 'server', limits.total);
      perRun.set(runId, open + 1);
      total += 1;
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          total -= 1;
          const left = (perRun.get(runId) ?? 1) - 1;
          // An ended run leaves no entry behind: run ids are many over a server's life.
          if (left > 0) perRun.set(runId, left);
          else perRun.delete(runId);
        },
      };
    },
    get size() {
      return total;
    },
  };
}
