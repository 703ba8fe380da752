// Starts the fake model in a child process (real HTTP + SSE on loopback) and steers it over IPC.
import { join } from 'node:path';
import type { ScriptStep } from '../../test/support/fake-openai-server';
import { cleanEnv } from '../../test/support/compiled-binary';

/** One chat request as the fake model saw it arrive. */
export interface ModelArrival {
  /** Epoch milliseconds (timeOrigin + now), comparable across processes on this machine. */
  atMs: number;
  /** The watched server's main-thread CPU at that moment, in nanoseconds (NaN when none is watched). */
  serverCpuNs: number;
  /** Streamed requests are the turns; the others are title calls. */
  streamed: boolean;
  /** The request's last user message (a turn's message, or the title prompt quoting it). */
  text: string;
}

/** What the bench asks of the fake model's process over IPC (each message gets one answer). */
export type ToModel = { type: 'reply'; step: ScriptStep } | { type: 'watch'; pid: number } | { type: 'take' };
type FromModel = { type: 'ready'; baseUrl: string } | { type: 'ack' } | { type: 'arrivals'; arrivals: ModelArrival[] };

/** The fake model's process, as the bench steers it. */
export interface FakeModelChild {
  baseUrl: string;
  pid: number;
  /** The reply every streamed request gets from now on (title requests get a one-word answer). */
  setReply(step: ScriptStep): Promise<void>;
  /** Read this server's main-thread CPU at every arrival (0 stops it). */
  watch(pid: number): Promise<void>;
  /** The arrivals since the last call. */
  takeArrivals(): Promise<ModelArrival[]>;
  stop(): Promise<void>;
}

/** Epoch milliseconds with sub-millisecond precision, comparable with `ModelArrival.atMs`. */
export const epochMs = () => performance.timeOrigin + performance.now();

/** Starts bench/chat/fake-model-process.ts and resolves once its server listens. */
export async function startFakeModelChild(): Promise<FakeModelChild> {
  const waiting: ((message: FromModel) => void)[] = [];
  const child = Bun.spawn({
    cmd: [process.execPath, join(import.meta.dir, 'fake-model-process.ts')],
    env: cleanEnv(),
    stdin: 'ignore',
    stdout: 'inherit',
    stderr: 'inherit',
    ipc: (message: FromModel) => waiting.shift()?.(message),
  });
  const next = () => new Promise<FromModel>((resolve) => waiting.push(resolve));
  const ready = await next();
  if (ready.type !== 'ready') throw new Error(`fake model child said ${ready.type} first`);
  /** One request at a time: every message gets exactly one answer, in order. */
  const ask = async (message: ToModel) => {
    const answer = next();
    child.send(message);
    return answer;
  };
  return {
    baseUrl: ready.baseUrl,
    pid: child.pid,
    setReply: async (step) => void (await ask({ type: 'reply', step })),
    watch: async (pid) => void (await ask({ type: 'watch', pid })),
    async takeArrivals() {
      const answer = await ask({ type: 'take' });
      return answer.type === 'arrivals' ? answer.arrivals : [];
    },
    async stop() {
      child.disconnect();
      await Promise.race([child.exited, Bun.sleep(2000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
