// Server processes for the scale bench: `bun --smol src/main.ts serve` on one database and one data folder.
import { join } from 'node:path';
import { callBinary, cleanEnv, startBinary, type RunningBinary } from '../../test/support/compiled-binary';

const MAIN = join(import.meta.dir, '..', '..', 'src', 'main.ts');

export interface Replica {
  url: string;
  newSession(): Promise<string>;
  /** A JSON request; the caller reads only what it needs of the body. */
  api(method: string, path: string, body?: unknown): ReturnType<typeof callBinary>;
  stop(): Promise<void>;
}

/** Starts `count` replicas one after the other (the first applies the migrations); without `url`, one server on SQLite files. */
export async function startReplicas(
  count: number,
  options: { url: string | null; dataDir: string; modelUrl: string },
): Promise<Replica[]> {
  const replicas: Replica[] = [];
  for (let index = 0; index < count; index++) {
    const server: RunningBinary = await startBinary(process.execPath, {
      cwd: join(options.dataDir, '..'),
      args: ['--smol', MAIN, 'serve', '--port', '0', '--data-dir', options.dataDir],
      env: cleanEnv({
        ...(options.url ? { APP_DATABASE_URL: options.url } : {}),
        LLM_BASE_URL: options.modelUrl,
        LLM_MODEL: 'fake-model',
        LLM_API_KEY: 'k',
        APP_LOG_LEVEL: 'error',
        APP_RATE_LIMIT_ENABLED: 'false',
      }),
      timeoutMs: 30_000,
    });
    const api = (method: string, path: string, body?: unknown) => callBinary(server, method, path, body);
    replicas.push({
      url: server.url,
      api,
      async newSession() {
        const created = await api('POST', '/api/sessions');
        return (created.body as { data: { session_id: string } }).data.session_id;
      },
      async stop() {
        await server.stop('SIGTERM', 15_000);
      },
    });
  }
  return replicas;
}
