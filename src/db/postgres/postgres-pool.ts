// Opens the PostgreSQL connection pool (Bun.sql) with the settings every replica uses, and probes its health.
import { SQL } from 'bun';
import { within } from '../../shared/event-loop';
import { nulFree } from './nul-free';

/** How `openPostgresPool` connects. */
export interface PostgresPoolOptions {
  /** A `postgres://` URL; see `checkDatabaseUrl`. Holds the password: never log it. */
  url: string;
  /** Most connections this pool opens (APP_DATABASE_POOL_SIZE). Queries beyond it queue in the pool. */
  poolSize: number;
  /** `application_name` of each session, so an operator can tell the server's connections apart in pg_stat_activity. */
  applicationName?: string;
  /** Seconds a new connection may take before it fails. Default 10. */
  connectTimeoutSeconds?: number;
  /** Seconds an unused connection stays open. Default 60, so a quiet replica gives its sessions back. */
  idleTimeoutSeconds?: number;
}

export const DEFAULT_APPLICATION_NAME = 'mini-openclaw';

/**
 * A Bun.sql pool over `options.url`. Opens no connection until the first query. Options given here win over
 * the same keys in the URL's query string (`?max=`). `int8` columns come back as strings, `timestamptz` as Date.
 * String parameters holding NUL are sent with U+FFFD in its place (see nul-free.ts).
 * Close it with `close()` or `await using`.
 */
export function openPostgresPool(options: PostgresPoolOptions): SQL {
  const database = databaseNamedIn(options.url);
  return nulFree(
    new SQL({
      url: options.url,
      // Without an explicit adapter Bun would also honour DATABASE_URL or a sqlite: URL; this pool is PostgreSQL only.
      adapter: 'postgres',
      // Bun 1.4 lets PGDATABASE beat the database named in the URL (https://github.com/oven-sh/bun/pull/37811);
      // an explicit option beats both, so a PGDATABASE set for other tools cannot redirect the server.
      ...(database ? { database } : {}),
      max: options.poolSize,
      connectionTimeout: options.connectTimeoutSeconds ?? 10,
      idleTimeout: options.idleTimeoutSeconds ?? 60,
      connection: { application_name: options.applicationName ?? DEFAULT_APPLICATION_NAME },
    }),
  );
}

/** The database in the URL's path (`/moc` -> `moc`), or null when the path names none. */
function databaseNamedIn(url: string): string | null {
  try {
    return decodeURIComponent(new URL(url).pathname.slice(1)) || null;
  } catch {
    return null; // Not a URL: Bun reports that when the pool first connects.
  }
}

/** The outcome of one health probe. */
export type PostgresHealth = { ok: true; latencyMs: number } | { ok: false; reason: string };

/**
 * Runs `SELECT 1` through the pool and reports whether it answered within `timeoutMs` (default 2000).
 * Never throws: a refused connection, a lost server or a slow answer is `{ ok: false, reason }`. The pool
 * reconnects by itself, so a probe after the server is back succeeds without reopening anything.
 * `reason` is the driver's message, which carries no password.
 */
export async function probePostgres(sql: SQL, timeoutMs = 2000): Promise<PostgresHealth> {
  const started = performance.now();
  const query = sql`SELECT 1 AS ok`.execute();
  try {
    const outcome = await within(
      query.then(() => 'answered' as const),
      timeoutMs,
      'timeout' as const,
    );
    if (outcome === 'timeout') {
      query.cancel();
      // The cancelled query rejects; the probe has already decided, so that rejection is expected and dropped.
      query.catch(() => undefined);
      return { ok: false, reason: `no answer within ${timeoutMs} ms` };
    }
    return { ok: true, latencyMs: performance.now() - started };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
