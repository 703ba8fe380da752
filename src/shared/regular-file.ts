// Opens the files the server reads and appends to for itself, refusing anything but a regular file.
//
// A plain open of a FIFO blocks until a partner opens the other end: one FIFO planted as a log or a config
// file froze the whole process (kernel wait `wait_for_partner`, no signal handled). Opened non-blocking, a
// FIFO opens at once (or fails with ENXIO when written with no reader) and the check on the open handle refuses it.
import { closeSync, constants, fstatSync, openSync, readFileSync, writeSync } from 'node:fs';

/** Thrown when a path names a FIFO, device, socket or folder where the server expects a regular file. */
export class NotRegularFileError extends Error {
  readonly code = 'ENOTREG';
  readonly path: string;

  constructor(path: string) {
    super(`${path} is not a regular file (a FIFO, device, socket or folder there is never read or written)`);
    this.name = 'NotRegularFileError';
    this.path = path;
  }
}

/**
 * Opens `path` with `flags` plus O_NONBLOCK and checks the open handle is a regular file (so a swap after a check
 * by name changes nothing). Throws NotRegularFileError otherwise, or the open's own error (ENOENT…). Caller closes.
 */
export function openRegularFile(path: string, flags: number, mode?: number): number {
  let handle: number;
  try {
    handle = openSync(path, flags | constants.O_NONBLOCK, mode);
  } catch (error) {
    // A FIFO opened for writing with no reader (or a socket, or a device with nothing behind it).
    if ((error as { code?: string }).code === 'ENXIO') throw new NotRegularFileError(path);
    throw error;
  }
  try {
    if (!fstatSync(handle).isFile()) throw new NotRegularFileError(path);
    return handle;
  } catch (error) {
    closeSync(handle);
    throw error;
  }
}

/** The text of the regular file at `path` (checks as `openRegularFile`). */
export function readRegularFile(path: string): string {
  const handle = openRegularFile(path, constants.O_RDONLY);
  try {
    return readFileSync(handle, 'utf8');
  } finally {
    closeSync(handle);
  }
}

/** Appends `text` to the regular file at `path`, created when missing (mode 0666 less umask, as appendFileSync). */
export function appendRegularFile(path: string, text: string): void {
  const handle = openRegularFile(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o666);
  try {
    const bytes = Buffer.from(text);
    let written = 0;
    while (written < bytes.length) written += writeSync(handle, bytes, written);
  } finally {
    closeSync(handle);
  }
}
