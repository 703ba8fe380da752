// Starts the real app on 127.0.0.1, port 0, over a temporary data folder; `await using` stops it.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { readEnvSettings, type EnvSettings } from '../../src/config';
import type { Deps, DepsOverrides } from '../../src/deps';
import { type RunningServer, startServer } from '../../src/server';
import { silentLogger } from '../../src/shared/logger';
import { makeTempDir } from './temp-dir';

export interface TestServer {
  url: string;
  deps: Deps;
  dataDir: string;
  /** Same as fetch, with the server's URL in front of `path`. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Every route the app serves, as Elysia registered it (method and templated path). */
  routes(): { method: string; path: string }[];
  /** JSON request helper: returns status, headers and parsed body. */
  json<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Headers; body: T }>;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface TestServerOptions {
  /** Environment variables layered over a clean test environment. */
  env?: Record<string, string>;
  /** Reuse a data folder (to test restarts); it is then not removed on stop. */
  dataDir?: string;
  overrides?: DepsOverrides;
  settings?: (settings: EnvSettings) => EnvSettings;
  /**
   * Listen only once the sandbox probe start-up began has ended (default true), as the index pass: its scratch agent
   * sits in the data folder meanwhile. False for a test of the probe running on after start.
   */
  awaitSandboxProbe?: boolean;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const temp = options.dataDir ? undefined : makeTempDir('moc-data-');
  const dataDir = options.dataDir ?? temp!.path;
  let settings = readEnvSettings({
    APP_DATA_DIR: dataDir,
    APP_LOG_LEVEL: 'silent',
    APP_RATE_LIMIT_ENABLED: 'false',
    // CI runs the chat and run tests a second time with LangChain on a model worker (.ci/run).
    ...(process.env.TEST_MODEL_WORKERS ? { APP_MODEL_WORKERS: process.env.TEST_MODEL_WORKERS } : {}),
    ...options.env,
  });
  settings = { ...settings, host: '127.0.0.1', port: 0 };
  if (options.settings) settings = options.settings(settings);
  const env: Record<string, string | undefined> = { ...options.env };
  let running: RunningServer;
  try {
    running = await startServer({
      settings,
      overrides: { logger: silentLogger, env, envFilePath: join(dataDir, '.env'), ...options.overrides },
      // Start-up indexing writes storage/retrieval.db and the sandbox probe makes a scratch agent in workspaces/;
      // let them finish so tests see a quiet data folder.
      beforeListen: async (deps) => {
        await deps.retrieval.idle();
        if (options.awaitSandboxProbe !== false) await deps.sandbox.probed().catch(() => undefined);
      },
    });
  } catch (error) {
    if (temp) rmSync(temp.path, { recursive: true, force: true });
    throw error;
  }
  const { app, deps, url } = running;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await running.close();
    if (temp) rmSync(temp.path, { recursive: true, force: true });
  };
  const request = (path: string, init?: RequestInit) => fetch(url + path, init);
  return {
    url,
    deps,
    dataDir,
    request,
    routes: () => app.routes.map((route) => ({ method: route.method, path: route.path })),
    async json(method, path, body, headers = {}) {
      const response = await request(path, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: any = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON: keep the text.
      }
      return { status: response.status, headers: response.headers, body: parsed };
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
