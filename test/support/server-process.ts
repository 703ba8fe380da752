// The real server in its own process (so a test can kill it, limit it or weigh it), wired to a fake model.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, startBinary, type RunningBinary } from './compiled-binary';
import { startFakeOpenAiServer, type FakeOpenAiServer } from './fake-openai-server';
import { chatInNewSession, type SseRecord } from './sse-client';
import { descendantsOf, waitUntil } from './process-probe';
import { makeTempDir } from './temp-dir';

const REPO_ROOT = join(import.meta.dir, '..', '..');
const SERVER_ENTRY = join(REPO_ROOT, 'src', 'main.ts');

export interface ServerProcess {
  server: RunningBinary;
  model: FakeOpenAiServer;
  dataDir: string;
  /** A JSON request: the status and the parsed body. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Starts a chat turn whose model asks for `calls` (then answers `ok`); resolves with the turn's events. */
  toolTurn(calls: { name: string; args: unknown }[]): Promise<SseRecord[]>;
  /** The parsed `tool_end` outputs of a turn's events. */
  toolOutputs(events: SseRecord[]): any[];
  [Symbol.asyncDispose](): Promise<void>;
}

export interface ServerProcessOptions {
  /** Data folder (default: `data` in a fresh temporary folder, removed afterwards). */
  dataDir?: string;
  /** Working folder of the server (default: the temporary folder); `.env` is read from here. */
  cwd?: string;
  env?: Record<string, string>;
  /** A command the server is started through (`['nohup']`), its own arguments first. */
  launcher?: string[];
}

/** `bun run src/main.ts serve` on port 0 with a fake model; rate limits off, warnings only in the log. */
export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const model = await startFakeOpenAiServer();
  const temp = makeTempDir('moc-server-process-');
  const dataDir = options.dataDir ?? join(temp.path, 'data');
  const env = cleanEnv({
    LLM_BASE_URL: model.baseUrl,
    LLM_MODEL: 'fake-model',
    LLM_API_KEY: 'test-key',
    APP_LOG_LEVEL: 'warn',
    APP_RATE_LIMIT_ENABLED: 'false',
    ...options.env,
  });
  let server: RunningBinary;
  try {
    const [launcher, ...launcherArgs] = options.launcher ?? [];
    const serverArgs = ['--smol', 'run', SERVER_ENTRY, 'serve', '--port', '0', '--data-dir', dataDir];
    server = await startBinary(launcher ?? process.execPath, {
      cwd: options.cwd ?? temp.path,
      args: launcher ? [...launcherArgs, process.execPath, ...serverArgs] : serverArgs,
      env,
      timeoutMs: 20_000,
    });
  } catch (error) {
    await model.stop();
    rmSync(temp.path, { recursive: true, force: true });
    throw error;
  }
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(server.url + path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  return {
    server,
    model,
    dataDir,
    api,
    async toolTurn(calls) {
      model.enqueue({ kind: 'tool_calls', calls }, { kind: 'text', text: 'ok' });
      return chatInNewSession(server.url, 'go');
    },
    toolOutputs: (events) =>
      events.filter((event) => event.event === 'tool_end').map((event) => JSON.parse(event.data.output)),
    async [Symbol.asyncDispose]() {
      // Through a launcher that stays (strace), the server is its child: a stopped strace lets go of it and it would
      // live on; it is stopped first, and waited for.
      const inner = options.launcher
        ? descendantsOf(server.child.pid).filter((pid) => {
            try {
              return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(SERVER_ENTRY);
            } catch {
              return false; // Gone already.
            }
          })
        : [];
      for (const pid of inner) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // Gone already.
        }
      }
      await waitUntil(() => inner.every((pid) => !existsSync(`/proc/${pid}`)));
      await server.stop();
      await model.stop();
      rmSync(temp.path, { recursive: true, force: true });
    },
  };
}
