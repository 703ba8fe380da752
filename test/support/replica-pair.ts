// Two server processes on one PostgreSQL database and one shared data folder, as a deployment with two replicas runs them.
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from './server-process';
import { makeTempDir } from './temp-dir';

export interface ReplicaPair extends AsyncDisposable {
  readonly dataDir: string;
  readonly replicas: [ServerProcess, ServerProcess];
  /** Starts a replica (a restart, or a late one) on the same database and folder. */
  start(extraEnv?: Record<string, string>): Promise<ServerProcess>;
}

/**
 * Starts `count` replicas (one after the other, so the first applies the migrations) with a short lock
 * lease (`leaseSeconds`), so a killed replica's runs are taken over within seconds.
 */
export async function startReplicaPair(
  databaseUrl: string,
  options: { leaseSeconds?: number; startSecond?: boolean; env?: Record<string, string> } = {},
): Promise<ReplicaPair> {
  const temp = makeTempDir('moc-replicas-');
  const dataDir = join(temp.path, 'data');
  const started: ServerProcess[] = [];
  const start = async (extraEnv: Record<string, string> = {}) => {
    const replica = await startServerProcess({
      dataDir,
      env: {
        APP_DATABASE_URL: databaseUrl,
        APP_DATABASE_LEASE_SECONDS: String(options.leaseSeconds ?? 2),
        // Each replica's derived index on its own disk, as on separate hosts (and nothing kept between tests).
        APP_INDEX_DIR: join(temp.path, `index-${started.length + 1}`),
        ...options.env,
        ...extraEnv,
      },
    });
    started.push(replica);
    return replica;
  };
  try {
    const first = await start();
    const second = options.startSecond === false ? first : await start();
    return {
      dataDir,
      replicas: [first, second],
      start,
      async [Symbol.asyncDispose]() {
        for (const replica of new Set(started)) await replica[Symbol.asyncDispose]();
        temp[Symbol.dispose]();
      },
    };
  } catch (error) {
    for (const replica of started) await replica[Symbol.asyncDispose]();
    temp[Symbol.dispose]();
    throw error;
  }
}
