// The sandbox uid owns the agent's areas when the server runs as root (so sandboxed tools can edit them).
import type { Dirent } from 'node:fs';
import { closeSync, constants, existsSync, fchownSync, lchownSync, lstatSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const HAS_PROC_FD = existsSync('/proc/self/fd');
const FOLDER_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/** Opens the folder at `path` if it is one now, never through a link (as its last component); null otherwise. */
function openFolder(path: string): number | null {
  try {
    return openSync(path, FOLDER_FLAGS);
  } catch {
    return null; // Gone, or swapped for a link or a file since it was listed.
  }
}

/**
 * Makes `uid:gid` the owner of the folder `area` and of everything inside it, when it is not already, without
 * following a link anywhere. Cheap when nothing changed: one `lstat` of the area.
 *
 * Each folder is opened once (never through a link) and walked through its handle (`/proc/self/fd/<n>/name`, which
 * the kernel resolves to that very folder): walking by path name, a sandbox still running in the area swapped a
 * folder for a link between the listing and the visit, and root handed the link's target (any host folder) to the
 * sandbox uid.
 */
export function ensureAreaOwner(area: string, uid: number, gid: number): void {
  const stat = lstatSync(area, { throwIfNoEntry: false });
  if (!stat?.isDirectory() || (stat.uid === uid && stat.gid === gid)) return;
  const root = openFolder(area);
  if (root === null) return;
  const visit = (handle: number, path: string) => {
    const folder = HAS_PROC_FD ? `/proc/self/fd/${handle}` : path;
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return; // Vanished meanwhile: nothing left to own.
    }
    for (const entry of entries) {
      if (entry.isDirectory()) {
        const child = openFolder(join(folder, entry.name));
        if (child === null) continue;
        try {
          visit(child, join(path, entry.name));
          fchownSync(child, uid, gid);
        } finally {
          closeSync(child);
        }
      } else {
        try {
          lchownSync(join(folder, entry.name), uid, gid);
        } catch {
          // Removed or renamed since the listing: it is the sandbox's own doing, and not ours to own.
        }
      }
    }
  };
  try {
    visit(root, area);
    // The area itself last: an interrupted pass is finished by the next call.
    fchownSync(root, uid, gid);
  } finally {
    closeSync(root);
  }
}
