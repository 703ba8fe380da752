// How many agents may keep their databases open: derived from the process's open-file limit unless APP_MAX_OPEN_AGENTS says.
import { readFileSync } from 'node:fs';

/** Files one open agent holds: agent.db and retrieval.db, each with its -wal and -shm. */
export const FILES_PER_OPEN_AGENT = 6;
/** The default never goes past this many, however high the limit: idle agents cost memory too. */
export const MAX_DEFAULT_OPEN_AGENTS = 512;
const MIN_DEFAULT_OPEN_AGENTS = 4;
/** Assumed where /proc is missing (macOS): a common soft limit. */
const FALLBACK_FILE_LIMIT = 1024;

/**
 * The soft RLIMIT_NOFILE of this process, read from `/proc/self/limits` (Linux; Bun has no
 * getrlimit). `Infinity` for "unlimited"; 1024 where the file cannot be read.
 */
export function readOpenFileLimit(limitsFile = '/proc/self/limits'): number {
  try {
    const line = readFileSync(limitsFile, 'utf8')
      .split('\n')
      .find((candidate) => candidate.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    if (soft === 'unlimited') return Number.POSITIVE_INFINITY;
    const limit = Number(soft);
    return Number.isInteger(limit) && limit > 0 ? limit : FALLBACK_FILE_LIMIT;
  } catch {
    // No /proc/self/limits (not Linux): assume the common soft limit.
    return FALLBACK_FILE_LIMIT;
  }
}

/**
 * The default cap for a file limit: a quarter of the limit (at least 64 files) is left for sockets,
 * tool processes and logs; the rest is divided by the 6 files an open agent holds; 4 to 512.
 */
export function defaultMaxOpenAgents(fileLimit: number): number {
  if (!Number.isFinite(fileLimit)) return MAX_DEFAULT_OPEN_AGENTS;
  const reserve = Math.max(64, Math.floor(fileLimit / 4));
  const cap = Math.floor((fileLimit - reserve) / FILES_PER_OPEN_AGENT);
  return Math.min(MAX_DEFAULT_OPEN_AGENTS, Math.max(MIN_DEFAULT_OPEN_AGENTS, cap));
}
