import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'bun:test';
import type { SQL } from 'bun';
import { join } from 'node:path';
import { waitFor } from '../../../test/support/scheduler-fixture';
import {
  postgresUnavailableReason,
  startPostgresCluster,
  type PostgresCluster,
} from '../../../test/support/postgres-cluster';
import { AppError } from '../../shared/app-error';
import type { Migration } from '../migrations';
import { applyPostgresMigrations, MIGRATION_LOCK_KEY } from './postgres-migrations';
import { openPostgresPool } from './postgres-pool';

const skipReason = postgresUnavailableReason();
if (skipReason) console.log(`postgres migration tests skipped: ${skipReason}`);

const CHILD = join(import.meta.dir, '../../../test/support/apply-migrations-child.ts');

/** Each migration logs itself into apply_log, so applying one twice shows as a second row. */
const LOGGED: Migration[] = [
  {
    version: 1,
    description: 'apply log',
    sql: 'CREATE TABLE apply_log (version integer NOT NULL); INSERT INTO apply_log VALUES (1);',
  },
  {
    version: 2,
    description: 'widgets',
    sql: 'CREATE TABLE widgets (id integer PRIMARY KEY); INSERT INTO apply_log VALUES (2);',
  },
];

/** Version 2 divides by the number of rows in `switch`: it fails until a row is there. */
const GATED: Migration[] = [
  { version: 1, description: 'switch', sql: 'CREATE TABLE switch (flag boolean NOT NULL);' },
  {
    version: 2,
    description: 'gadgets',
    sql: 'CREATE TABLE gadgets (id integer); SELECT 1 / (SELECT count(*)::integer FROM switch);',
  },
];

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a rejection');
}

describe.skipIf(skipReason !== null)('applyPostgresMigrations', () => {
  let cluster: PostgresCluster;
  let url = '';
  let sql: SQL;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
  }, 60_000);
  afterAll(async () => {
    await cluster?.[Symbol.asyncDispose]();
  });
  beforeEach(async () => {
    await sql?.close();
    url = await cluster.createDatabase();
    sql = openPostgresPool({ url, poolSize: 2 });
  });

  const history = async () =>
    (await sql`SELECT version, description FROM schema_migrations ORDER BY version`).map(
      (row: { version: number; description: string }) => ({ ...row }),
    );
  const heldMigrationLocks = async () =>
    Number(
      (
        await sql`SELECT count(*)::integer AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = ${MIGRATION_LOCK_KEY % 2 ** 32}::oid`
      )[0].n,
    );

  it('applies pending migrations in order once, records them, and releases the lock', async () => {
    expect(await applyPostgresMigrations(sql, LOGGED)).toEqual({ applied: [1, 2], version: 2 });
    expect(await applyPostgresMigrations(sql, LOGGED)).toEqual({ applied: [], version: 2 });
    expect(await history()).toEqual([
      { version: 1, description: 'apply log' },
      { version: 2, description: 'widgets' },
    ]);
    expect(
      (await sql`SELECT version FROM apply_log ORDER BY version`).map((row: { version: number }) => row.version),
    ).toEqual([1, 2]);
    expect(await heldMigrationLocks()).toBe(0);
  });

  it('creates only its bookkeeping for an empty list', async () => {
    expect(await applyPostgresMigrations(sql, [])).toEqual({ applied: [], version: 0 });
    expect(await history()).toEqual([]);
  });

  it('applies each migration exactly once when two processes start together', async () => {
    // Hold the lock so both children are surely waiting on it before either can start.
    const holder = await sql.reserve();
    await holder`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY}::bigint)`;
    const env = { ...process.env, DATABASE_URL_UNDER_TEST: url, MIGRATIONS_JSON: JSON.stringify(LOGGED) };
    const children = [0, 1].map(() =>
      Bun.spawn({ cmd: [process.execPath, CHILD], env, stdout: 'pipe', stderr: 'pipe' }),
    );
    try {
      await waitFor(
        async () =>
          Number(
            (await sql`SELECT count(*)::integer AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)[0].n,
          ) === 2 || undefined,
        15_000,
      );
    } finally {
      await holder`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY}::bigint)`;
      await holder.release();
    }
    const results = await Promise.all(
      children.map(async (child) => ({
        code: await child.exited,
        out: await new Response(child.stdout).text(),
        err: await new Response(child.stderr).text(),
      })),
    );
    for (const result of results) expect(result).toEqual(expect.objectContaining({ code: 0, err: '' }));
    const reports = results.map((result) => JSON.parse(result.out)).sort((a, b) => b.applied.length - a.applied.length);
    expect(reports).toEqual([
      { applied: [1, 2], version: 2 },
      { applied: [], version: 2 },
    ]);
    expect(
      (await sql`SELECT version, count(*)::integer AS n FROM apply_log GROUP BY version ORDER BY version`).map(
        (row: object) => ({ ...row }),
      ),
    ).toEqual([
      { version: 1, n: 1 },
      { version: 2, n: 1 },
    ]);
  }, 30_000);

  it('rolls a failed migration back whole, keeps the ones before it, and retries it on the next run', async () => {
    const error = await rejection(applyPostgresMigrations(sql, GATED));
    expect(error.code).toBe('storage_unavailable');
    expect(error.message).toBe('migration 2 (gadgets) failed and was rolled back: division by zero');
    expect(error.details).toEqual({ version: 2 });
    expect(await history()).toEqual([{ version: 1, description: 'switch' }]);
    expect((await sql`SELECT to_regclass('gadgets') AS table`)[0].table).toBeNull();
    expect(await heldMigrationLocks()).toBe(0);

    await sql`INSERT INTO switch VALUES (true)`;
    expect(await applyPostgresMigrations(sql, GATED)).toEqual({ applied: [2], version: 2 });
    expect((await sql`SELECT to_regclass('gadgets')::text AS table`)[0].table).toBe('gadgets');
  });

  it('records a migration in the same transaction as its changes: no row, no changes', async () => {
    // The migration writes its own bookkeeping row, so the runner's insert is the statement that fails.
    const selfRecording: Migration[] = [
      {
        version: 1,
        description: 'self-recording',
        sql: "CREATE TABLE sprockets (id integer); INSERT INTO schema_migrations (version, description, checksum) VALUES (1, 'x', 'x');",
      },
    ];
    const error = await rejection(applyPostgresMigrations(sql, selfRecording));
    expect(error.message).toStartWith('migration 1 (self-recording) failed and was rolled back: duplicate key value');
    expect((await sql`SELECT to_regclass('sprockets') AS table`)[0].table).toBeNull();
    expect(await history()).toEqual([]);
  });

  it('refuses a database newer than the release and a migration edited after it was applied', async () => {
    await applyPostgresMigrations(sql, LOGGED);
    const newer = await rejection(applyPostgresMigrations(sql, LOGGED.slice(0, 1)));
    expect(newer.message).toBe(
      'database schema version 2 is newer than this release supports (1); upgrade mini-openclaw',
    );
    const edited = await rejection(
      applyPostgresMigrations(sql, [{ ...LOGGED[0]!, sql: 'CREATE TABLE apply_log (version bigint);' }, LOGGED[1]!]),
    );
    expect(edited.message).toBe(
      'migration 1 (apply log) was changed after it was applied; add a new migration instead',
    );
  });

  it('gives up with a clear error when another process holds the lock past the wait', async () => {
    const holder = await sql.reserve();
    await holder`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY}::bigint)`;
    // One connection, so the query after the run surely lands on the session that waited.
    await using single = openPostgresPool({ url, poolSize: 1 });
    try {
      const error = await rejection(applyPostgresMigrations(single, LOGGED, { lockWaitMs: 200 }));
      expect(error.message).toBe(
        'another process has held the migration lock for more than 200 ms; is a migration still running?',
      );
      expect((await sql`SELECT to_regclass('apply_log') AS table`)[0].table).toBeNull();
    } finally {
      await holder`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY}::bigint)`;
      await holder.release();
    }
    // The pool hands that connection out again, so it must not keep the bound.
    expect((await single`SELECT current_setting('lock_timeout') AS value`)[0].value).toBe('0');
  });
});
