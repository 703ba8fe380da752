// Crash-safe file replacement: temporary file in the same folder, fsync, rename, fsync the folder.
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  mkdirSync,
  readlinkSync,
  lstatSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { adoptFolderOwner } from './folder-owner';
import { withPath } from './storage-fault';

/** Linux NAME_MAX: the longest name (in bytes) of one folder entry. */
export const NAME_MAX_BYTES = 255;

/**
 * Temporary files are `.moc-tmp-<16 hex digits>`: short and of fixed length, so no valid target name
 * (up to 255 bytes) fails because of its temporary's name, and reserved: the path guard refuses the
 * form in every path a client or a tool gives, so only the server makes such files and the start-up
 * sweep can remove them without touching a user's file.
 */
const TEMPORARY_NAME = /^\.moc-tmp-[0-9a-f]{16}$/;

/** A fresh temporary file name (see TEMPORARY_NAME). */
export function temporaryName(): string {
  return `.moc-tmp-${randomBytes(8).toString('hex')}`;
}

/** Whether `name` (one folder entry) has the form of the server's temporary files. */
export function isTemporaryName(name: string): boolean {
  return TEMPORARY_NAME.test(name);
}

export interface AtomicWriteOptions {
  /**
   * The new file takes the mode of the file it replaces (and its owner, when the server runs as root), set
   * before any byte is written: a `.env` of mode 0600 holding keys stays 0600. Without one there, or without
   * this option, the new file is 0644 less the umask and owned as `adoptFolderOwner` says.
   */
  keepModeAndOwner?: boolean;
}

/**
 * Writes `content` to `path` so that a reader (or a crash) sees either the old file or the new
 * one, never a mix. Parent folders are created. The temporary sits in the same folder (the rename
 * stays within one filesystem) under a name unique per call, so two concurrent writers of one path
 * never share a temporary file. A link at `path` is replaced, not followed: resolve it first to write its target.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const folder = dirname(path);
  mkdirSync(folder, { recursive: true });
  const replaced = options.keepModeAndOwner ? statIfPresent(path) : null;
  const temporary = join(folder, temporaryName());
  const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  // Exclusive: never opens an entry that is already there (nor a link planted under the name).
  const handle = openSync(temporary, 'wx', replaced ? 0o600 : 0o644);
  try {
    adoptFolderOwner(folder, { handle });
    if (replaced) takeModeAndOwner(handle, replaced);
    let offset = 0;
    while (offset < data.length) offset += writeSync(handle, data, offset, data.length - offset);
    fsyncSync(handle);
  } catch (error) {
    closeSync(handle);
    rmSync(temporary, { force: true });
    throw withPath(error, temporary);
  }
  closeSync(handle);
  try {
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  syncFolder(folder);
}

/** Gives the open `handle` the mode of the file it will replace (`replaced`) and, run as root, its owner. */
export function takeModeAndOwner(handle: number, replaced: Stats): void {
  // Owner first: a chown clears set-user-id bits the chmod then puts back.
  if (process.geteuid?.() === 0) fchownSync(handle, replaced.uid, replaced.gid);
  fchmodSync(handle, replaced.mode & 0o7777);
}

/**
 * The file to rewrite for `path`: the path itself, or the final target of a link there. For files an operator
 * keeps (`.env`, `config.json`) and may have linked elsewhere: replacing the link by a file would leave the
 * target stale and the next start reading a copy. A link to a file not made yet leads to where that file would be
 * (writing creates it, as a shell's `>` would); a loop of links throws ELOOP.
 */
export function resolveLinkTarget(path: string): string {
  let current = path;
  for (let hops = 0; hops <= MAX_LINK_HOPS; hops += 1) {
    try {
      if (!lstatSync(current).isSymbolicLink()) return hops === 0 ? path : realpathSync(current);
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return current;
      throw error;
    }
    current = resolve(dirname(current), readlinkSync(current));
  }
  throw Object.assign(new Error(`ELOOP: too many levels of symbolic links, '${path}'`), { code: 'ELOOP', path });
}

/** As the system's own limit on links followed in one path (Linux: 40). */
const MAX_LINK_HOPS = 40;

/** The stat of the file at `path`, or null when there is none. */
export function statIfPresent(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return null;
    throw error;
  }
}

/** fsync of a folder (its entries durable), where the filesystem allows it. */
export function syncFolder(folder: string): void {
  try {
    const handle = openSync(folder, 'r');
    try {
      fsyncSync(handle);
    } finally {
      closeSync(handle);
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself is still atomic.
  }
}
