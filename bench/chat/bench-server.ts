// The server under test as its own process (`bun --smol src/main.ts serve`, or the built binary), optionally CPU-profiled, and the calls the chat bench makes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cleanEnv, startBinary, type RunningBinary } from '../../test/support/compiled-binary';
import { makeTempDir } from '../../test/support/temp-dir';
import { epochMs, type FakeModelChild } from './fake-model-child';
import { readCpu, type CpuReading } from './process-cpu';
import { timeStream } from './stream-timing';

/**
 * The entry point to run; BENCH_MAIN points the bench at another copy of the code (a variant to compare, side by
 * side) or at the bundle `npm start` runs (`BENCH_MAIN=$(bun scripts/bundle.ts)`: the bundle step prints its main.js).
 */
const MAIN = process.env.BENCH_MAIN
  ? resolve(process.env.BENCH_MAIN)
  : join(import.meta.dir, '..', '..', 'src', 'main.ts');

/** BENCH_BINARY runs a built executable (`npm run build`) instead of `bun --smol` on the sources; profiling needs the sources. */
const BINARY = process.env.BENCH_BINARY && resolve(process.env.BENCH_BINARY);

/** More variables for every server, from BENCH_SERVER_ENV (`A=1,B=2`), e.g. APP_MODEL_WORKERS=0 to compare; the soak reads it too. */
export const EXTRA_ENV: Record<string, string> = Object.fromEntries(
  (process.env.BENCH_SERVER_ENV ?? '')
    .split(',')
    .filter((pair) => pair.includes('='))
    .map((pair) => [pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1).trim()]),
);

/** Where the server writes its CPU profile when it exits: `<dir>/<name>.md` (Bun's report) and `<dir>/<name>.cpuprofile` (the samples). */
export interface ProfileTarget {
  dir: string;
  name: string;
}

/** What a case sets up before the server starts: a global config.json, more environment variables. */
export interface ServerSetup {
  config?: Record<string, unknown>;
  env?: Record<string, string>;
}

/** One turn as the client saw it; every `*Ms` is from the moment the request was sent (NaN: never came). */
export interface TurnTiming {
  /** Epoch ms when the request was sent (compare with ModelArrival.atMs). */
  sentAt: number;
  /** The server's CPU when the request was sent, when the client saw `done`, and when the body ended. */
  cpuAtSend: CpuReading;
  cpuAtDone: CpuReading;
  cpuAtEnd: CpuReading;
  firstMs: number;
  doneMs: number;
  /** The `title` event a first turn sends after `done`. */
  titleMs: number;
  endMs: number;
  ok: boolean;
}

/** A turn in flight: `done` settles when the client has seen the `done` event, `finished` when the body has ended. */
export interface StartedChat {
  done: Promise<void>;
  finished: Promise<TurnTiming>;
}

/** A running server under test and the requests the bench makes to it. */
export interface BenchServer {
  url: string;
  pid: number;
  newSession(): Promise<string>;
  /** Starts one streamed turn in `sessionId`; the body is read to its end (after `title` on a first turn). */
  startChat(sessionId: string, message: string): StartedChat;
  /** `startChat(...).finished`. */
  chat(sessionId: string, message: string): Promise<TurnTiming>;
  /** What the server has printed on stderr so far. */
  stderr(): string;
  /** Stops the server (SIGTERM: the profile, when asked for, is written on the way out). */
  stop(): Promise<void>;
}

/**
 * The server the way production runs it: `bun --smol` (BENCH_BUN_FLAGS overrides the flags), its own process,
 * a fresh data folder, pointed at the fake model. With `profile`, Bun's `--cpu-prof-md` records it from start to exit.
 */
export async function startBenchServer(
  model: FakeModelChild,
  profile?: ProfileTarget,
  setup: ServerSetup = {},
): Promise<BenchServer> {
  const temp = makeTempDir('chat-bench-');
  if (profile) mkdirSync(profile.dir, { recursive: true });
  if (setup.config) {
    mkdirSync(join(temp.path, 'data'), { recursive: true });
    writeFileSync(join(temp.path, 'data', 'config.json'), JSON.stringify(setup.config));
  }
  if (BINARY && profile) throw new Error('BENCH_BINARY cannot be profiled: run the sources with --profile');
  const serve = ['serve', '--port', '0', '--data-dir', join(temp.path, 'data')];
  const server: RunningBinary = await startBinary(BINARY ?? process.execPath, {
    cwd: temp.path,
    args: BINARY
      ? serve
      : [
          ...(process.env.BENCH_BUN_FLAGS ?? '--smol').split(' ').filter(Boolean),
          ...(profile
            ? ['--cpu-prof', '--cpu-prof-md', `--cpu-prof-dir=${profile.dir}`, `--cpu-prof-name=${profile.name}`]
            : []),
          MAIN,
          ...serve,
        ],
    env: cleanEnv({
      LLM_BASE_URL: model.baseUrl,
      LLM_MODEL: 'fake-model',
      LLM_API_KEY: 'k',
      APP_LOG_LEVEL: 'warn',
      APP_RATE_LIMIT_ENABLED: 'false',
      ...EXTRA_ENV,
      ...setup.env,
    }),
  });
  const pid = server.child.pid;

  const startChat = (sessionId: string, message: string): StartedChat => {
    let seenDone!: () => void;
    const done = new Promise<void>((resolve) => (seenDone = resolve));
    const cpuAtSend = readCpu(pid);
    let cpuAtDone = cpuAtSend;
    const sentAt = epochMs();
    const started = performance.now();
    const onMarker = (marker: string) => {
      if (marker !== 'event: done') return;
      cpuAtDone = readCpu(pid);
      seenDone();
    };
    const finished = (async (): Promise<TurnTiming> => {
      try {
        const response = await fetch(`${server.url}/api/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ message, session_id: sessionId }),
        });
        const { at, endMs } = await timeStream(
          response,
          ['event: token', 'event: done', 'event: title'],
          started,
          onMarker,
        );
        const ok = response.ok && !Number.isNaN(at['event: done']!);
        return {
          sentAt,
          cpuAtSend,
          cpuAtDone,
          cpuAtEnd: readCpu(pid),
          firstMs: at['event: token']!,
          doneMs: at['event: done']!,
          titleMs: at['event: title']!,
          endMs,
          ok,
        };
      } catch {
        return {
          sentAt,
          cpuAtSend,
          cpuAtDone,
          cpuAtEnd: readCpu(pid),
          firstMs: NaN,
          doneMs: NaN,
          titleMs: NaN,
          endMs: NaN,
          ok: false,
        };
      } finally {
        seenDone();
      }
    })();
    return { done, finished };
  };

  return {
    url: server.url,
    pid,
    async newSession() {
      const response = await fetch(`${server.url}/api/sessions`, { method: 'POST' });
      return ((await response.json()) as { data: { session_id: string } }).data.session_id;
    },
    startChat,
    chat: (sessionId, message) => startChat(sessionId, message).finished,
    stderr: () => server.stderr(),
    async stop() {
      const code = await server.stop('SIGTERM', 15_000);
      if (code !== 0) console.warn(`server exited with ${code}; stderr: ${server.stderr().slice(-2000)}`);
      temp[Symbol.dispose]();
    },
  };
}

/** The same streamed request straight to the fake model: its own time to first token and to its end. */
export async function directTurn(model: FakeModelChild): Promise<{ firstMs: number; endMs: number }> {
  const started = performance.now();
  const response = await fetch(`${model.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'fake-model',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi' }],
    }),
  });
  const { at, endMs } = await timeStream(response, ['"content":"t'], started);
  return { firstMs: at['"content":"t']!, endMs };
}
