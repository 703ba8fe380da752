// Builds the single executable the way `npm run build` does, and runs it as a child process on port 0.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../../scripts/run-command';
import { makeTempDir } from './temp-dir';

/** The checkout these tests run in. */
export const REPO_ROOT = join(import.meta.dir, '..', '..');
const LISTENING = /listening on (http:\/\/[^\s]+:(\d+))/;

/** The arguments of package.json's `build` script after `bun build`, with `--outfile` pointed at `outfile`. */
export function buildArguments(outfile: string): string[] {
  const script: string = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts.build;
  const words = script.trim().split(/\s+/);
  if (words[0] !== 'bun' || words[1] !== 'build')
    throw new Error(`package.json build script is not a bun build: ${script}`);
  const args = words.slice(2);
  const at = args.indexOf('--outfile');
  if (at < 0 || at + 1 >= args.length) throw new Error(`package.json build script has no --outfile: ${script}`);
  args[at + 1] = outfile;
  return args;
}

/** Compiles src/main.ts into `outfile` with the bun running this process; throws with bun's output on failure. */
export async function buildBinary(outfile: string): Promise<void> {
  const { code, stdout, stderr } = await runCommand([process.execPath, 'build', ...buildArguments(outfile)], {
    cwd: REPO_ROOT,
  });
  if (code !== 0) throw new Error(`bun build exited ${code}\n${stdout}\n${stderr}`);
}

let shared: Promise<string> | undefined;

/**
 * The binary `npm run build` makes, built once per test process (the test files that run a binary share it) into a
 * temporary folder removed when the process exits. A test that needs it in a folder of its own copies it there.
 */
export function sharedBinary(): Promise<string> {
  shared ??= (async () => {
    const folder = makeTempDir('moc-build-');
    process.once('exit', () => folder[Symbol.dispose]());
    const binary = join(folder.path, 'mini-openclaw');
    await buildBinary(binary);
    return binary;
  })();
  return shared;
}

/** A promise that settles with 'timeout' after `ms`, and a way to cancel its timer so it keeps nothing alive. */
function withDeadline(ms: number): { expired: Promise<'timeout'>; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return { expired, cancel: () => clearTimeout(timer) };
}

/** A minimal environment for a child: PATH and HOME only, so the caller's APP_* variables cannot leak in. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...extra };
}

export interface RunningBinary {
  child: Bun.Subprocess<'ignore', 'pipe', 'pipe'>;
  url: string;
  port: number;
  /** Everything printed on stdout up to and including the `listening on` line. */
  stdout: string;
  stderr(): string;
  /**
   * Sends `signal` and resolves with the exit code, or null if the process outlived `timeoutMs` (it is then killed,
   * and gone by the time this resolves).
   */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

export interface StartBinaryOptions {
  cwd: string;
  args?: string[];
  env?: Record<string, string>;
  /** How long to wait for the `listening on` line. */
  timeoutMs?: number;
}

/** Starts the binary and resolves once it has printed its URL; rejects with its output if it exits or stays silent. */
export async function startBinary(binary: string, options: StartBinaryOptions): Promise<RunningBinary> {
  const child = Bun.spawn({
    cmd: [binary, ...(options.args ?? [])],
    cwd: options.cwd,
    env: options.env ?? cleanEnv(),
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  let stderr = '';
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) stderr += decoder.decode(chunk, { stream: true });
  })();

  let stdout = '';
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  const deadline = withDeadline(options.timeoutMs ?? 10_000);
  const exited = child.exited.then(() => 'exited' as const);
  let match: RegExpExecArray | null = null;
  try {
    while (!match) {
      const next = await Promise.race([reader.read(), deadline.expired, exited]);
      if (next === 'timeout' || next === 'exited' || next.done) {
        child.kill('SIGKILL');
        await child.exited;
        throw new Error(
          `binary did not print its URL (${next === 'timeout' ? 'timed out' : 'exited'})\nstdout: ${stdout}\nstderr: ${stderr}`,
        );
      }
      stdout += decoder.decode(next.value, { stream: true });
      match = LISTENING.exec(stdout);
    }
  } finally {
    deadline.cancel();
  }
  // Keep draining stdout so the child never blocks on a full pipe.
  void (async () => {
    for (;;) {
      const next = await reader.read();
      if (next.done) return;
      stdout += decoder.decode(next.value, { stream: true });
    }
  })();

  return {
    child,
    url: match[1]!,
    port: Number(match[2]),
    stdout,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM', timeoutMs = 5000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const deadline = withDeadline(timeoutMs);
      const outcome = await Promise.race([child.exited, deadline.expired]);
      deadline.cancel();
      if (outcome === 'timeout') {
        // Killed, and waited for: a caller may remove the process's folder next.
        child.kill('SIGKILL');
        await child.exited;
        return null;
      }
      return outcome;
    },
  };
}

/** A JSON request to a running binary: the status and the parsed body (undefined when it is not JSON). */
export async function callBinary(
  server: RunningBinary,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const response = await fetch(server.url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json().catch(() => undefined) };
}

/** Polls `url` until it answers `status` or `timeoutMs` passes; resolves with the time it took or throws. */
export async function waitForStatus(url: string, status = 200, timeoutMs = 10_000): Promise<number> {
  const started = performance.now();
  let last = '';
  while (performance.now() - started < timeoutMs) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === status) return performance.now() - started;
      last = `status ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await Bun.sleep(5);
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
}
