// A throwaway PostgreSQL cluster for tests: initdb + pg_ctl in a temp folder, loopback only, removed on dispose.
import { SQL } from 'bun';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, runCommand } from '../../scripts/run-command';

const BIN_ROOT = '/usr/lib/postgresql';
const DIR_PREFIX = 'mini-openclaw-pg-';
const SUPERUSER = 'postgres';
const START_ATTEMPTS = 4;

/** A running cluster of one test file. `await using` stops it and removes its folder. */
export interface PostgresCluster extends AsyncDisposable {
  /** The temp folder holding the data directory, the server log and the socket. */
  readonly dir: string;
  readonly port: number;
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres`: the superuser on the maintenance database. */
  readonly adminUrl: string;
  /** The superuser's password (random for each cluster; the cluster asks for it over TCP). */
  readonly password: string;
  /** How long `initdb` and the first `pg_ctl start` took, in milliseconds. */
  readonly timings: { initdbMs: number; startMs: number };
  /** Creates an empty database from template0 and returns its URL; one for each test keeps tests apart. */
  createDatabase(): Promise<string>;
  /** Stops the server (fast shutdown) and keeps its data, for tests of a database that goes away. */
  stop(): Promise<void>;
  /** Starts a stopped server again on the same port. */
  start(): Promise<void>;
}

interface Identity {
  uid: number;
  gid: number;
}

/** The newest `/usr/lib/postgresql/<version>/bin` with initdb and pg_ctl, or null. */
export function findPostgresBinDir(): string | null {
  if (!existsSync(BIN_ROOT)) return null;
  const versions = readdirSync(BIN_ROOT)
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = join(BIN_ROOT, version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return null;
}

/** The identity the server runs as: this process's own, or the `postgres` system user's when this is root (initdb refuses root). */
function serverIdentity(): Identity | null {
  if (process.getuid?.() !== 0) return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${SUPERUSER}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : null;
}

/** Why a cluster cannot start here, or null when it can. Tests print it and skip. */
export function postgresUnavailableReason(): string | null {
  if (!findPostgresBinDir())
    return `no initdb and pg_ctl under ${BIN_ROOT}/<version>/bin (.ci/run installs Debian's postgresql)`;
  if (!serverIdentity())
    return 'running as root and there is no postgres system user to run the server as (initdb refuses root)';
  return null;
}

/** A port nothing listens on at 127.0.0.1 right now (another process may still take it; start() retries). */
export async function freePort(): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function run(argv: string[], identity: Identity): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await runCommand(argv, {
    ...identity,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' },
  });
  return { code, output: `${stdout}${stderr}`.trim() };
}

/** True when the test process that made `dir` is gone; a folder still without owner.pid counts once it is an hour old. */
function isOrphan(dir: string): boolean {
  try {
    const owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8').trim());
    return !(owner > 0 && isAlive(owner));
  } catch {
    try {
      return Date.now() - statSync(dir).mtimeMs > 3_600_000;
    } catch {
      return false; // Removed while we looked.
    }
  }
}

/** Stops and removes clusters whose test process died without disposing them (a crash, a kill -9). */
async function sweepOrphans(bin: string, identity: Identity): Promise<void> {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    if (!isOrphan(dir)) continue;
    try {
      if (existsSync(join(dir, 'data', 'postmaster.pid')))
        await run([join(bin, 'pg_ctl'), '-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop'], identity);
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Another user's folder: theirs to clean up, and no reason to fail this test run.
    }
  }
}

/**
 * Creates a cluster in a new temp folder (owned by the server's user), starts it on a free loopback port with
 * fsync off, and waits until it accepts connections. Password auth (SCRAM) over TCP, trust on its private socket.
 * Throws with the server log's tail when it cannot start.
 */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = findPostgresBinDir();
  const identity = serverIdentity();
  if (!bin || !identity) throw new Error(postgresUnavailableReason() ?? 'postgres unavailable');
  await sweepOrphans(bin, identity);

  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  chownSync(dir, identity.uid, identity.gid);
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const password = crypto.randomUUID().replaceAll('-', '');
  const passwordFile = join(dir, 'password');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  chownSync(passwordFile, identity.uid, identity.gid);

  const initStarted = performance.now();
  const init = await run(
    [
      join(bin, 'initdb'),
      '-D',
      data,
      '-U',
      SUPERUSER,
      `--pwfile=${passwordFile}`,
      '--auth-host=scram-sha-256',
      '--auth-local=trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ],
    identity,
  );
  const initdbMs = performance.now() - initStarted;
  rmSync(passwordFile, { force: true });
  if (init.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb exited ${init.code}: ${init.output}`);
  }

  let port = 0;
  const pgCtl = (args: string[]) => run([join(bin, 'pg_ctl'), '-D', data, ...args], identity);
  const startServer = async (): Promise<void> => {
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    const started = await pgCtl(['-l', logFile, '-w', '-t', '60', '-o', options, 'start']);
    if (started.code !== 0)
      throw new Error(`pg_ctl start exited ${started.code}: ${started.output}\n${logTail(logFile)}`);
  };
  const stopServer = async (mode: 'fast' | 'immediate'): Promise<void> => {
    if (!existsSync(join(data, 'postmaster.pid'))) return;
    const stopped = await pgCtl(['-m', mode, '-w', '-t', '60', 'stop']);
    if (stopped.code !== 0) throw new Error(`pg_ctl stop exited ${stopped.code}: ${stopped.output}`);
  };

  const startStarted = performance.now();
  for (let attempt = 1; ; attempt += 1) {
    port = await freePort();
    try {
      await startServer();
      break;
    } catch (error) {
      // The usual cause is a port taken between freePort() and the bind; another port is the cure.
      if (attempt >= START_ATTEMPTS) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  const startMs = performance.now() - startStarted;

  const adminUrl = `postgres://${SUPERUSER}:${password}@127.0.0.1:${port}/postgres`;
  const admin = new SQL({ url: adminUrl, max: 1 });
  let databases = 0;
  // A test run that ends without disposing (an uncaught error) still leaves no server behind.
  const onExit = () =>
    Bun.spawnSync({
      cmd: [join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop'],
      ...identity,
      stdout: 'ignore',
      stderr: 'ignore',
    });
  process.once('exit', onExit);

  return {
    dir,
    port,
    adminUrl,
    password,
    timings: { initdbMs, startMs },
    async createDatabase() {
      databases += 1;
      const name = `test_${databases}_${crypto.randomUUID().slice(0, 8)}`;
      await admin`CREATE DATABASE ${admin(name)} TEMPLATE template0`;
      return `postgres://${SUPERUSER}:${password}@127.0.0.1:${port}/${name}`;
    },
    stop: () => stopServer('fast'),
    start: startServer,
    async [Symbol.asyncDispose]() {
      process.off('exit', onExit);
      await admin.close({ timeout: 0 });
      try {
        await stopServer('immediate');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function logTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-20).join('\n');
  } catch {
    return '(no server log)';
  }
}
