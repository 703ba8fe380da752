// Append-only JSONL logs for operators (cron_runs, cron_failures, heartbeat_runs), rotated by size.
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../shared/logger';
import { appendRegularFile } from '../shared/regular-file';

export const RUN_LOG_MAX_BYTES = 5 * 1024 * 1024;
/** Rotated generations kept beside the live file: `x.jsonl.1` (newest) … `x.jsonl.N`. */
export const RUN_LOG_GENERATIONS = 3;

export interface RunLog {
  append(record: Record<string, unknown>): void;
}

/**
 * A log at `path`. Before an append would take the file past `maxBytes`, the file moves to `.1`
 * (older generations shift up, the oldest is dropped). A failed write is logged, never thrown: the
 * database holds the authoritative rows. Something other than a regular file at `path` (a FIFO) is such a
 * failure, refused at once rather than waited on.
 */
export function createRunLog(
  path: string,
  logger: Logger,
  maxBytes = RUN_LOG_MAX_BYTES,
  generations = RUN_LOG_GENERATIONS,
): RunLog {
  return {
    append(record) {
      const line = `${JSON.stringify(record)}\n`;
      try {
        mkdirSync(dirname(path), { recursive: true });
        let size = 0;
        try {
          size = statSync(path).size;
        } catch {
          // No log file yet: nothing to rotate.
          size = 0;
        }
        if (size > 0 && size + Buffer.byteLength(line) > maxBytes) rotate(path, generations);
        appendRegularFile(path, line);
      } catch (error) {
        logger.warn('run log append failed', { path, error: String(error) });
      }
    },
  };
}

function rotate(path: string, generations: number): void {
  rmSync(`${path}.${generations}`, { force: true });
  for (let index = generations - 1; index >= 1; index--) {
    try {
      renameSync(`${path}.${index}`, `${path}.${index + 1}`);
    } catch {
      // That generation does not exist yet.
    }
  }
  renameSync(path, `${path}.1`);
}
