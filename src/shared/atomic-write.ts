// Crash-safe file replacement: temporary file in the same folder, fsync, rename, fsync the folder.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { adoptFolderOwner } from './folder-owner';
import { walkRealFiles } from './walk-files';

/**
 * Writes `content` to `path` so that a reader (or a crash) sees either the old file or the new
 * one, never a mix. Parent folders are created. The temporary name is unique per call, so two
 * concurrent writers of one path never share a temporary file.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const folder = dirname(path);
  mkdirSync(folder, { recursive: true });
  const temporary = join(folder, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const handle = openSync(temporary, 'w', 0o644);
  try {
    adoptFolderOwner(folder, { handle });
    let offset = 0;
    while (offset < data.length) offset += writeSync(handle, data, offset, data.length - offset);
    fsyncSync(handle);
  } catch (error) {
    closeSync(handle);
    rmSync(temporary, { force: true });
    throw error;
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

const TEMPORARY_NAME = /^\..+\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes temporary files that `writeFileAtomic` left under `root` when the process died mid-write.
 * The walk never follows links (an agent's `knowledge/x -> /` must not send it across the host, nor a
 * loop stop the start) and skips folders it cannot read.
 */
export function removeStaleTemporaryFiles(root: string): number {
  let removed = 0;
  for (const path of walkRealFiles(root, '')) {
    if (!TEMPORARY_NAME.test(basename(path))) continue;
    rmSync(join(root, path), { force: true });
    removed++;
  }
  return removed;
}
