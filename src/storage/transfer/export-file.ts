// Writes an export to its file all or nothing: a temporary beside the target, renamed over it only once whole.
import { closeSync, fsyncSync, openSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { statIfPresent, syncFolder, takeModeAndOwner, temporaryName } from '../../shared/atomic-write';
import { exportRows } from './export-rows';
import type { TransferStorage } from './transfer-storage';

/** Lines are gathered up to this many characters before one write. */
const FLUSH_CHARS = 1 << 20;

/** Writes the export to the open `handle` in slices of about FLUSH_CHARS; the caller closes it. */
async function writeExport(source: TransferStorage, handle: number, nowMs: number) {
  let pending: string[] = [];
  let pendingChars = 0;
  const flush = () => {
    const data = Buffer.from(pending.join(''), 'utf8');
    let offset = 0;
    while (offset < data.length) offset += writeSync(handle, data, offset, data.length - offset);
    pending = [];
    pendingChars = 0;
  };
  const counts = await exportRows(
    source,
    (line) => {
      pending.push(`${line}\n`);
      pendingChars += line.length + 1;
      if (pendingChars >= FLUSH_CHARS) flush();
    },
    nowMs,
  );
  flush();
  return counts;
}

/**
 * Exports every agent's rows (see `exportRows`) to `out`. The lines go to a temporary file in the same folder,
 * fsynced and renamed over the file only when the whole export succeeded, so a failed export (a damaged agent
 * database, a full disk) leaves the previous file as it was; the temporary is removed then. A file replaced keeps
 * its mode (and, run as root, its owner); a link is followed and its target replaced. A device or pipe (`--out
 * /dev/stdout`) is written in place. Returns the count of lines per type; throws what the export or the write threw.
 */
export async function exportToFile(source: TransferStorage, out: string, nowMs: number) {
  const replaced = statIfPresent(out);
  if (replaced && !replaced.isFile()) {
    // No earlier export to keep there, and a rename would replace the device's own entry.
    const stream = openSync(out, 'w');
    try {
      return await writeExport(source, stream, nowMs);
    } finally {
      closeSync(stream);
    }
  }
  const path = replaced ? realpathSync(out) : out;
  const temporary = join(dirname(path), temporaryName());
  // Exclusive: never opens an entry that is already there (nor a link planted under the name).
  const handle = openSync(temporary, 'wx', 0o644);
  let isOpen = true;
  try {
    if (replaced) takeModeAndOwner(handle, replaced);
    const counts = await writeExport(source, handle, nowMs);
    fsyncSync(handle);
    closeSync(handle);
    isOpen = false;
    renameSync(temporary, path);
    syncFolder(dirname(path));
    return counts;
  } catch (error) {
    // Once closed, its number may already be another file's.
    if (isOpen) closeSync(handle);
    rmSync(temporary, { force: true });
    throw error;
  }
}
