// The sandbox uid owns the agent's areas when the server runs as root (so sandboxed tools can edit them).
import { lchownSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Makes `uid:gid` the owner of the folder `area` and of everything inside it, when it is not already, without
 * following a link anywhere. Cheap when nothing changed: one `lstat` of the area.
 */
export function ensureAreaOwner(area: string, uid: number, gid: number): void {
  const stat = lstatSync(area, { throwIfNoEntry: false });
  if (!stat?.isDirectory() || (stat.uid === uid && stat.gid === gid)) return;
  const visit = (folder: string) => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return; // Vanished meanwhile: nothing left to own.
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      lchownSync(path, uid, gid);
      if (entry.isDirectory()) visit(path);
    }
  };
  visit(area);
  // The area itself last: an interrupted pass is finished by the next call.
  lchownSync(area, uid, gid);
}
