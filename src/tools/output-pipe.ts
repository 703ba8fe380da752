// OS pipes for tool output that the server reads at its own pace: a full pipe stops the writer.
import { dlopen, FFIType, ptr } from 'bun:ffi';
import { closeSync } from 'node:fs';
import { AppError } from '../shared/app-error';

const O_CLOEXEC = 0o2000000;
let libc: { pipe2(fds: Int32Array): number } | undefined;

function loadLibc() {
  const { symbols } = dlopen('libc.so.6', { pipe2: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.i32 } });
  return { pipe2: (fds: Int32Array) => symbols.pipe2(ptr(fds), O_CLOEXEC) };
}

export interface OutputPipe {
  /** The end the child writes to (give it as its stdout or stderr, then call `closeWriteEnd`). */
  readonly writeFd: number;
  /** Read with backpressure: each chunk is read only when the previous one was taken. */
  readonly stream: ReadableStream<Uint8Array>;
  /** Closes the server's copy of the write end (after the spawn), so the stream ends when the child's copies close. */
  closeWriteEnd(): void;
  /** Closes the read end; call once, after the stream ended or was cancelled. */
  close(): void;
}

/**
 * A new pipe. Bun's own `stdout: 'pipe'` reads a child's output into memory as fast as the child writes it,
 * whatever the reader takes (a `head -c 3G /dev/zero` held gigabytes); reading this pipe through `Bun.file(fd)`
 * pulls a chunk at a time, so a child that writes faster than the server reads simply blocks.
 * Both ends are close-on-exec: only the child that receives the write end as stdio inherits it.
 */
export function createOutputPipe(): OutputPipe {
  libc ??= loadLibc();
  const fds = new Int32Array(2);
  // The tool runner logs this and answers the model E_INTERNAL, as for any failure that is not the tool's own.
  if (libc.pipe2(fds) !== 0)
    throw new AppError('internal_error', 'Cannot create a pipe for the tool output (pipe2 failed)');
  const [readFd, writeFd] = [fds[0]!, fds[1]!];
  let writeOpen = true;
  let readOpen = true;
  return {
    writeFd,
    stream: Bun.file(readFd).stream(),
    closeWriteEnd() {
      if (writeOpen) closeSync(writeFd);
      writeOpen = false;
    },
    close() {
      if (writeOpen) closeSync(writeFd);
      if (readOpen) closeSync(readFd);
      writeOpen = readOpen = false;
    },
  };
}
