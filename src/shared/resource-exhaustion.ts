// Whether a failure came from something used up rather than from the file it named: descriptors, free space.
import { closeSync, openSync, statfsSync } from 'node:fs';

/** Whether this process can open no more files now: opening `/dev/null` fails with EMFILE (or ENFILE, the system's). */
export function isOutOfDescriptors(): boolean {
  let fd: number;
  try {
    fd = openSync('/dev/null', 'r');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return code === 'EMFILE' || code === 'ENFILE';
  }
  closeSync(fd);
  return false;
}

/** Whether the file system holding `folder` has no block left for this user. */
export function hasNoFreeSpace(folder: string): boolean {
  try {
    return statfsSync(folder).bavail === 0;
  } catch {
    // statfs refused: without knowing, the fault is not called a full disk.
    return false;
  }
}
