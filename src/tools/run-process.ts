// Runs a tool process in its own process group: output read at the server's pace and bounded, a timeout and an
// output ceiling that kill the group.
import { killProcessGroup } from '../shared/process-group';
import { createOutputCollector, type OutputCollector } from './bounded-output';
import { createOutputPipe, type OutputPipe } from './output-pipe';

export interface ProcessRequest {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** Bytes kept at each end of stdout and of stderr; the middle is counted and dropped while streaming. */
  keepBytes: number;
  /** Past this many bytes of stdout and stderr together the process group is killed. */
  maxOutputBytes: number;
  stdin?: string;
  signal?: AbortSignal;
  /** Spawn as this identity (only a root server can). */
  uid?: number;
  gid?: number;
}

export interface ProcessResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Bytes dropped from the middle of stdout/stderr. */
  droppedBytes: number;
  /** Bytes the process wrote to stdout and stderr together. */
  totalBytes: number;
  timedOut: boolean;
  /** The output passed `maxOutputBytes` and the group was killed. */
  outputLimitExceeded: boolean;
}

/** After the command ends, how long its output may still drain before the pipes are abandoned. */
const DRAIN_GRACE_MS = 250;
/** How often a flood checks the server's memory, and how much growth it tolerates before collecting. */
const CHECK_MEMORY_EVERY_BYTES = 8 * 1024 * 1024;
const TOLERATED_GROWTH_BYTES = 24 * 1024 * 1024;

/**
 * Reads `pipe` into `collector` until it ends or `stop` settles: a process that escaped the group kill
 * (`setsid`, unsandboxed) can hold the pipe open forever, and must not hold the call. Stopping cancels the
 * reader (its pending read then ends); racing every read against `stop` instead would keep each chunk
 * reachable from `stop` until it settled, which is how 3 GB of output used to stay in memory.
 */
async function drain(
  pipe: OutputPipe,
  collector: OutputCollector,
  onChunk: (bytes: number) => void,
  stop: Promise<unknown>,
): Promise<void> {
  const reader = pipe.stream.getReader();
  let finished = false;
  void stop.then(() => {
    if (!finished) void reader.cancel().catch(() => undefined);
  });
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) return;
      collector.push(next.value);
      onChunk(next.value.length);
    }
  } finally {
    finished = true;
    pipe.close();
  }
}

/**
 * Spawns `argv` detached (its own process group) and waits for it. On timeout, abort or too much output the whole
 * group gets SIGKILL, so background children die too (inside bubblewrap the PID namespace dies with it).
 */
export async function runProcess(request: ProcessRequest): Promise<ProcessResult> {
  const out = createOutputPipe();
  let err: OutputPipe;
  try {
    err = createOutputPipe();
  } catch (error) {
    out.close();
    throw error;
  }
  let child: ReturnType<typeof Bun.spawn>;
  try {
    child = Bun.spawn(request.argv, {
      cwd: request.cwd,
      env: request.env,
      stdin: request.stdin === undefined ? 'ignore' : Buffer.from(request.stdin),
      stdout: out.writeFd,
      stderr: err.writeFd,
      detached: true,
      uid: request.uid,
      gid: request.gid,
    });
  } catch (error) {
    out.close();
    err.close();
    throw error;
  }
  out.closeWriteEnd();
  err.closeWriteEnd();
  let timedOut = false;
  let outputLimitExceeded = false;
  const killGroup = () => killProcessGroup(child.pid);
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, request.timeoutMs);
  const onAbort = () => killGroup();
  request.signal?.addEventListener('abort', onAbort, { once: true });
  const stdout = createOutputCollector(request.keepBytes);
  const stderr = createOutputCollector(request.keepBytes);
  // Every chunk read is a fresh buffer that is garbage at once. A flood outruns the collector's own pace
  // (3 GB of output grew the server by 60-80 MB), so past a tolerated growth the server collects at once.
  const startRss = process.memoryUsage.rss();
  let sinceMemoryCheck = 0;
  const onChunk = (bytes: number) => {
    sinceMemoryCheck += bytes;
    if (sinceMemoryCheck >= CHECK_MEMORY_EVERY_BYTES) {
      sinceMemoryCheck = 0;
      if (process.memoryUsage.rss() - startRss > TOLERATED_GROWTH_BYTES) Bun.gc(true);
    }
    if (outputLimitExceeded || stdout.totalBytes + stderr.totalBytes <= request.maxOutputBytes) return;
    outputLimitExceeded = true;
    killGroup();
  };
  try {
    // Nothing outlives its command: once the main process exits, leftovers of its group (which could hold the pipes open) die.
    const exited = child.exited.then((code) => {
      killGroup();
      return code;
    });
    const drained = exited.then(() => Bun.sleep(DRAIN_GRACE_MS));
    const [exitCode] = await Promise.all([
      exited,
      drain(out, stdout, onChunk, drained),
      drain(err, stderr, onChunk, drained),
    ]);
    const [outText, errText] = [stdout.finish(), stderr.finish()];
    return {
      exitCode: timedOut || outputLimitExceeded ? null : exitCode,
      stdout: outText.text,
      stderr: errText.text,
      droppedBytes: outText.droppedBytes + errText.droppedBytes,
      totalBytes: outText.totalBytes + errText.totalBytes,
      timedOut,
      outputLimitExceeded,
    };
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', onAbort);
  }
}
