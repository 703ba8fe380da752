// Versioned PostgreSQL migrations, applied once under an advisory lock whichever replica (or `migrate`) comes first.
import type { ReservedSQL, SQL } from 'bun';
import { AppError } from '../../shared/app-error';
import type { Logger } from '../../shared/logger';
import type { Migration } from '../migrations';

/**
 * The advisory lock key every migration run takes: the ASCII bytes of `mocmig` read as one number
 * (0x6d6f636d6967), visible in pg_locks as classid 28015, objid 1668114791.
 */
export const MIGRATION_LOCK_KEY = 0x6d6f636d6967;
const LOCK_NOT_AVAILABLE = '55P03';
const DEFAULT_LOCK_WAIT_MS = 300_000;

export interface MigrationOptions {
  /** How long to wait for another process's migration run before giving up. Default 5 minutes. */
  lockWaitMs?: number;
  logger?: Logger;
}

/** What a run did: the versions it applied (in order) and the schema version it left. */
export interface MigrationReport {
  applied: number[];
  version: number;
}

function checksum(sql: string): string {
  return new Bun.CryptoHasher('sha256').update(sql).digest('hex');
}

function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migration list out of order: entry ${index + 1} has version ${migration.version}`);
    }
  });
}

function failure(message: string, details: Record<string, unknown>, cause?: unknown): AppError {
  return new AppError('storage_unavailable', message, details, { cause });
}

function serverMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function takeLock(session: ReservedSQL, waitMs: number): Promise<void> {
  // lock_timeout bounds the wait for an advisory lock too (SQLSTATE 55P03 when it runs out).
  await session`SELECT set_config('lock_timeout', ${`${waitMs}ms`}, false)`;
  try {
    await session`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY}::bigint)`;
  } catch (error) {
    if (error instanceof Error && 'errno' in error && error.errno === LOCK_NOT_AVAILABLE) {
      throw failure(
        `another process has held the migration lock for more than ${waitMs} ms; is a migration still running?`,
        {},
        error,
      );
    }
    throw error;
  } finally {
    // The pool reuses this connection afterwards, so it must not keep the bound; a dead connection is not reused.
    await session`SELECT set_config('lock_timeout', '0', false)`.catch(() => undefined);
  }
}

/** Refuses a database from a newer release, and one whose applied migrations no longer match their SQL. */
function checkHistory(applied: { version: number; checksum: string }[], migrations: readonly Migration[]): void {
  const latest = migrations.length;
  const newest = applied.at(-1)?.version ?? 0;
  if (newest > latest) {
    throw failure(
      `database schema version ${newest} is newer than this release supports (${latest}); upgrade mini-openclaw`,
      { version: newest, supported: latest },
    );
  }
  for (const row of applied) {
    const migration = migrations[row.version - 1];
    if (migration && checksum(migration.sql) !== row.checksum) {
      throw failure(
        `migration ${row.version} (${migration.description}) was changed after it was applied; add a new migration instead`,
        { version: row.version },
      );
    }
  }
}

/**
 * Brings the database to the last of `migrations` (versions 1, 2, 3... in order). Takes a session advisory lock
 * first, so concurrent callers (replicas starting together) wait and then find the work done: each migration runs
 * exactly once. Each migration runs in its own transaction with its `schema_migrations` row; one that fails rolls
 * back whole, the ones before it stay, and the next run retries it. The runner creates `schema_migrations` itself.
 * Throws `AppError('storage_unavailable')` for a failed migration, a lock wait past `lockWaitMs`, a database newer
 * than `migrations`, or an applied migration whose SQL changed; connection errors propagate as the driver's errors.
 */
export async function applyPostgresMigrations(
  sql: SQL,
  migrations: readonly Migration[],
  options: MigrationOptions = {},
): Promise<MigrationReport> {
  assertOrdered(migrations);
  const session = await sql.reserve();
  try {
    await takeLock(session, options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
    try {
      await session.unsafe(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        description text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const history: { version: number; checksum: string }[] =
        await session`SELECT version, checksum FROM schema_migrations ORDER BY version`;
      checkHistory(history, migrations);
      const done = new Set(history.map((row) => row.version));
      const applied: number[] = [];
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        options.logger?.info('applying migration', { version: migration.version, description: migration.description });
        try {
          await session.begin(async (transaction) => {
            await transaction.unsafe(migration.sql);
            await transaction`INSERT INTO schema_migrations (version, description, checksum)
              VALUES (${migration.version}, ${migration.description}, ${checksum(migration.sql)})`;
          });
        } catch (error) {
          throw failure(
            `migration ${migration.version} (${migration.description}) failed and was rolled back: ${serverMessage(error)}`,
            { version: migration.version },
            error,
          );
        }
        applied.push(migration.version);
      }
      return { applied, version: Math.max(0, ...done, ...applied) };
    } finally {
      await session`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY}::bigint)`.catch((error: unknown) => {
        // A lost connection ended the session, and the server released its locks with it.
        options.logger?.warn('could not release the migration lock', { error: serverMessage(error) });
      });
    }
  } finally {
    await session.release();
  }
}
