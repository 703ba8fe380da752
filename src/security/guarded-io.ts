// File operations on paths the guard resolved, immune to folders or links swapped in afterwards.
// The folder is opened once and checked (/proc/self/fd); every create, rename, read and unlink then
// goes through `/proc/self/fd/<folder>/<name>`, which the kernel resolves to that very folder (as openat
// would), and the last component is never followed as a link.
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
} from 'node:fs';
import { AppError } from '../shared/app-error';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../shared/atomic-write';
import { adoptFolderOwner } from '../shared/folder-owner';
import { NotRegularFileError, openRegularFile } from '../shared/regular-file';
import { withRealFolder } from '../shared/storage-fault';
import { assertOpenedAt, guardPath } from './path-guard';

const HAS_PROC_FD = existsSync('/proc/self/fd');

/** Runs `work` with a path that names `folder` itself as opened and checked now, whatever happens to the name later. */
function inCheckedFolder<T>(folder: string, path: string, work: (pinned: string) => T): T {
  const handle = openSync(folder, constants.O_RDONLY | constants.O_DIRECTORY);
  const pinned = HAS_PROC_FD ? `/proc/self/fd/${handle}` : folder;
  try {
    assertOpenedAt(handle, folder, path);
    return work(pinned);
  } catch (error) {
    // A failure names the pinned path, which means nothing once the handle is closed: name the folder.
    throw withRealFolder(error, pinned, folder);
  } finally {
    closeSync(handle);
  }
}

/**
 * Opens a guarded file for reading: no link as its last component, exactly where the guard said, and a
 * regular file of at most `maxBytes` (checked on the open file: a FIFO or a huge file swapped in after a
 * check by name would block the server or exhaust its memory; see shared/regular-file.ts). Caller closes.
 */
export function openGuardedFile(absolute: string, path: string, maxBytes = Number.MAX_SAFE_INTEGER): number {
  return inCheckedFolder(dirname(absolute), path, (pinned) => {
    let handle: number;
    try {
      handle = openRegularFile(join(pinned, basename(absolute)), constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ELOOP')
        throw new AppError('forbidden_path', 'Path escapes workspace root', { path, reason: 'Links are not followed' });
      if (error instanceof NotRegularFileError)
        throw new AppError('forbidden_path', 'Not a regular file', { path, reason: 'Not a regular file' });
      throw error;
    }
    try {
      assertOpenedAt(handle, absolute, path);
      const stat = fstatSync(handle);
      if (stat.size > maxBytes)
        throw new AppError('payload_too_large', 'File is too large', { path, size: stat.size, max_bytes: maxBytes });
      return handle;
    } catch (error) {
      closeSync(handle);
      throw error;
    }
  });
}

/** The bytes of a guarded file (checks as `openGuardedFile`). */
export function readGuardedBytes(absolute: string, path: string, maxBytes?: number): Buffer {
  const handle = openGuardedFile(absolute, path, maxBytes);
  try {
    return readFileSync(handle);
  } finally {
    closeSync(handle);
  }
}

export function readGuardedFile(absolute: string, path: string, maxBytes?: number): string {
  return readGuardedBytes(absolute, path, maxBytes).toString('utf8');
}

/** Creates `folder` and any missing parents, each one by name inside its checked parent (never through a link). */
function ensureGuardedFolder(folder: string, path: string): void {
  if (existsSync(folder)) return; // Whatever is there is checked when it is opened.
  const parent = dirname(folder);
  if (parent === folder) return;
  ensureGuardedFolder(parent, path);
  inCheckedFolder(parent, path, (pinned) => {
    try {
      mkdirSync(join(pinned, basename(folder)));
      adoptFolderOwner(pinned, { path: join(pinned, basename(folder)) });
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
    }
  });
}

/** Writes atomically into the checked folder (created first when missing); 400 when a part of the path is a file. */
export function writeGuardedFile(absolute: string, content: string, path: string): void {
  try {
    ensureGuardedFolder(dirname(absolute), path);
    inCheckedFolder(dirname(absolute), path, (pinned) => writeFileAtomic(join(pinned, basename(absolute)), content));
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOTDIR') throw error;
    throw new AppError('invalid_request', 'A part of the path is a file, not a folder', { path });
  }
}

/** Removes the entry itself (a link is removed, never followed). */
export function removeGuardedFile(absolute: string, path: string): void {
  if (!existsSync(dirname(absolute))) return;
  inCheckedFolder(dirname(absolute), path, (pinned) => rmSync(join(pinned, basename(absolute)), { force: true }));
}

/** How much of a file the server reads for its own use when the caller names no limit (SKILL.md, HEARTBEAT.md). */
export const AGENT_TEXT_MAX_CHARS = 1_000_000;

/**
 * Reads a file of an agent folder that the server itself uses (prompt files, skills): inside the folder,
 * no link anywhere that leads out, and none as the last component. A link the agent planted (say
 * `workspace/USER.md -> /proc/self/environ`) is refused instead of read into a prompt. Only the head is read:
 * at most `maxChars + 1` characters come back, so a caller that cuts at `maxChars` still sees that it cut. An
 * agent's tool can write files of any size there (sparse ones in no time), and three 200 MB prompt files grew the
 * server by 1.7 GB on the next turn when they were read whole.
 */
export function readAgentTextFile(agentRoot: string, relative: string, maxChars = AGENT_TEXT_MAX_CHARS): string {
  const guarded = guardPath(agentRoot, relative);
  const handle = openGuardedFile(guarded.absolute, relative);
  try {
    // A UTF-8 character is at most 4 bytes, so this many bytes hold maxChars + 1 whole characters.
    const head = Buffer.alloc(Math.min(fstatSync(handle).size, (maxChars + 1) * 4));
    let filled = 0;
    while (filled < head.length) {
      const read = readSync(handle, head, filled, head.length - filled, null);
      if (read === 0) break;
      filled += read;
    }
    return head
      .subarray(0, filled)
      .toString('utf8')
      .slice(0, maxChars + 1);
  } finally {
    closeSync(handle);
  }
}
