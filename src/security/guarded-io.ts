// File operations on paths the guard resolved, immune to folders or links swapped in afterwards.
// The folder is opened once and checked (/proc/self/fd); every create, rename, read and unlink then
// goes through `/proc/self/fd/<folder>/<name>`, which the kernel resolves to that very folder (as openat
// would), and the last component is never followed as a link.
import { closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../shared/atomic-write';
import { assertOpenedAt, guardPath } from './path-guard';

const HAS_PROC_FD = existsSync('/proc/self/fd');

/** Runs `work` with a path that names `folder` itself as opened and checked now, whatever happens to the name later. */
function inCheckedFolder<T>(folder: string, path: string, work: (pinned: string) => T): T {
  const handle = openSync(folder, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    assertOpenedAt(handle, folder, path);
    return work(HAS_PROC_FD ? `/proc/self/fd/${handle}` : folder);
  } finally {
    closeSync(handle);
  }
}

/** Opens a guarded file for reading: no link as its last component, and exactly where the guard said. Caller closes. */
export function openGuardedFile(absolute: string, path: string): number {
  return inCheckedFolder(dirname(absolute), path, (pinned) => {
    const handle = openSync(join(pinned, basename(absolute)), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      assertOpenedAt(handle, absolute, path);
      return handle;
    } catch (error) {
      closeSync(handle);
      throw error;
    }
  });
}

export function readGuardedFile(absolute: string, path: string): string {
  const handle = openGuardedFile(absolute, path);
  try {
    return readFileSync(handle, 'utf8');
  } finally {
    closeSync(handle);
  }
}

/** Writes atomically into the checked folder (created first when missing). */
export function writeGuardedFile(absolute: string, content: string, path: string): void {
  mkdirSync(dirname(absolute), { recursive: true });
  inCheckedFolder(dirname(absolute), path, (pinned) => writeFileAtomic(join(pinned, basename(absolute)), content));
}

/** Removes the entry itself (a link is removed, never followed). */
export function removeGuardedFile(absolute: string, path: string): void {
  if (!existsSync(dirname(absolute))) return;
  inCheckedFolder(dirname(absolute), path, (pinned) => rmSync(join(pinned, basename(absolute)), { force: true }));
}

/**
 * Reads a file of an agent folder that the server itself uses (prompt files, skills): inside the folder,
 * no link anywhere that leads out, and none as the last component. A link the agent planted (say
 * `workspace/USER.md -> /proc/self/environ`) is refused instead of read into a prompt.
 */
export function readAgentTextFile(agentRoot: string, relative: string): string {
  const guarded = guardPath(agentRoot, relative);
  return readGuardedFile(guarded.absolute, relative);
}
