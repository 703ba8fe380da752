// The one folder walk: regular files under a folder, never through a link, unreadable folders skipped.
import { type Dirent, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Whether `path` is a real folder (not a link to one, not a file). */
export function isRealFolder(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/**
 * Yields the paths (relative to `root`, `/`-separated, prefixed with `relative`) of the regular files
 * under `root/relative`, each folder's entries in name order. Dirents never follow links, so a link an
 * agent planted (to `/`, or a loop) is neither entered nor listed. `skipFolder` prunes folders by name.
 */
export function* walkRealFiles(
  root: string,
  relative: string,
  skipFolder: (name: string) => boolean = () => false,
): Generator<string> {
  let entries: Dirent[];
  try {
    entries = readdirSync(relative ? join(root, relative) : root, { withFileTypes: true });
  } catch {
    // Unreadable or vanished folder: nothing to list in it.
    return;
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!skipFolder(entry.name)) yield* walkRealFiles(root, child, skipFolder);
    } else if (entry.isFile()) yield child;
  }
}
