// Runs a tool process in its own process group: bounded output (head and tail), a timeout that kills the group.

export interface ProcessRequest {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** Bytes kept at each end of stdout and of stderr; the middle is dropped while streaming. */
  keepBytes: number;
  stdin?: string;
  signal?: AbortSignal;
}

export interface ProcessResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Bytes dropped from the middle of stdout/stderr. */
  droppedBytes: number;
  timedOut: boolean;
}

/** After the command ends, how long its output may still drain before the pipes are abandoned. */
const DRAIN_GRACE_MS = 250;
const STOP: unique symbol = Symbol('stop');

/**
 * Collects a stream keeping the first and last `keep` bytes, until it ends or `stop` settles: a process
 * that escaped the group kill (`setsid`) can hold the pipe open forever, and must not hold the call.
 */
async function collect(stream: ReadableStream<Uint8Array>, keep: number, stop: Promise<unknown>): Promise<{ text: string; dropped: number }> {
  const head: Uint8Array[] = [];
  let headSize = 0;
  let tail: Uint8Array[] = [];
  let tailSize = 0;
  let dropped = 0;
  const reader = stream.getReader();
  const stopped = stop.then((): typeof STOP => STOP);
  for (;;) {
    const next = await Promise.race([reader.read(), stopped]);
    if (next === STOP) {
      void reader.cancel().catch(() => undefined);
      break;
    }
    if (next.done) break;
    let piece = next.value;
    if (headSize < keep) {
      const take = piece.subarray(0, keep - headSize);
      head.push(take);
      headSize += take.length;
      piece = piece.subarray(take.length);
    }
    if (piece.length === 0) continue;
    tail.push(piece);
    tailSize += piece.length;
    while (tailSize > keep && tail.length > 0) {
      const excess = tailSize - keep;
      const first = tail[0]!;
      if (first.length <= excess) {
        tail.shift();
        tailSize -= first.length;
        dropped += first.length;
      } else {
        tail[0] = first.subarray(excess);
        tailSize -= excess;
        dropped += excess;
      }
    }
  }
  const decoder = new TextDecoder();
  const headText = decoder.decode(Buffer.concat(head));
  const tailText = decoder.decode(Buffer.concat(tail));
  return { text: dropped > 0 ? `${headText}\n...[truncated ${dropped} bytes]...\n${tailText}` : headText + tailText, dropped };
}

/**
 * Spawns `argv` detached (its own process group) and waits for it. On timeout or abort the whole group gets
 * SIGKILL, so background children and grandchildren die too (inside bubblewrap the PID namespace dies with it).
 */
export async function runProcess(request: ProcessRequest): Promise<ProcessResult> {
  const child = Bun.spawn(request.argv, {
    cwd: request.cwd,
    env: request.env,
    stdin: request.stdin === undefined ? 'ignore' : Buffer.from(request.stdin),
    stdout: 'pipe',
    stderr: 'pipe',
    detached: true,
  });
  let timedOut = false;
  const killGroup = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // The group is already gone.
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, request.timeoutMs);
  const onAbort = () => killGroup();
  request.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    // Nothing outlives its command: once the main process exits, leftovers of its group (which could hold the pipes open) die.
    const exited = child.exited.then((code) => {
      killGroup();
      return code;
    });
    const drained = exited.then(() => Bun.sleep(DRAIN_GRACE_MS));
    const [stdout, stderr, exitCode] = await Promise.all([collect(child.stdout, request.keepBytes, drained), collect(child.stderr, request.keepBytes, drained), exited]);
    return { exitCode: timedOut ? null : exitCode, stdout: stdout.text, stderr: stderr.text, droppedBytes: stdout.dropped + stderr.dropped, timedOut };
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', onAbort);
  }
}
