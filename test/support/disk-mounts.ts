// Real disk faults for tests: a small tmpfs filled to the last byte, read-only binds. Mounting needs root (as CI runs).
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from './temp-dir';

/** Runs a command; the reason it failed, or null. */
export function run(...command: string[]): string | null {
  const result = Bun.spawnSync(command, { stdout: 'ignore', stderr: 'pipe' });
  return result.exitCode === 0
    ? null
    : `${command.join(' ')}: ${result.stderr.toString().trim() || `exit ${result.exitCode}`}`;
}

/** Unmounts `path`, lazily if it is busy. */
export function unmount(path: string): void {
  if (run('umount', path)) run('umount', '-l', path);
}

/** Mounts a tmpfs of `size` (as mount takes it, `16m`) at `folder/disk`: its path, or why mount refused. */
export function mountSmallDisk(folder: string, size = '16m'): { path: string } | { refused: string } {
  const path = join(folder, 'disk');
  mkdirSync(path);
  const refused = run('mount', '-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path);
  return refused ? { refused } : { path };
}

/** Writes until the filesystem refuses a single byte more. */
export function fillDisk(path: string): void {
  const handle = openSync(path, 'w');
  try {
    for (const size of [1 << 20, 4096, 1]) {
      const chunk = Buffer.alloc(size, 1);
      try {
        for (;;) writeSync(handle, chunk);
      } catch (error) {
        if ((error as { code?: string }).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(handle);
  }
}

/**
 * Runs `body` on a small tmpfs (`size`) mounted in a fresh temporary folder, given its path, and unmounts it
 * afterwards; where mount is refused (not root) it says why and skips.
 */
export async function onSmallDisk(prefix: string, body: (path: string) => Promise<void>, size?: string): Promise<void> {
  using folder = makeTempDir(prefix);
  const disk = mountSmallDisk(folder.path, size);
  if ('refused' in disk) {
    console.warn(`skipped: a small tmpfs is needed for a full disk (${disk.refused})`);
    return;
  }
  try {
    await body(disk.path);
  } finally {
    unmount(disk.path);
  }
}
