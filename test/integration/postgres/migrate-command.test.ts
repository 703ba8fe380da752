// `mini-openclaw migrate` as a real process against a real PostgreSQL, and --database-url on serve.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { SQL } from 'bun';
import { join } from 'node:path';
import { POSTGRES_MIGRATIONS } from '../../../src/db/postgres/postgres-db.schema';
import { cleanEnv } from '../../support/compiled-binary';
import {
  freePort,
  postgresUnavailableReason,
  startPostgresCluster,
  type PostgresCluster,
} from '../../support/postgres-cluster';
import { makeTempDir, type TempDir } from '../../support/temp-dir';
import { runMain } from '../../support/run-main';

const skipReason = postgresUnavailableReason();
if (skipReason) console.log(`migrate command tests skipped: ${skipReason}`);

/** Every migration, as the command lists them, and the version they end at. */
const VERSIONS = POSTGRES_MIGRATIONS.map((migration) => migration.version);
const LATEST = VERSIONS.at(-1);

const MAIN = join(import.meta.dir, '..', '..', '..', 'src', 'main.ts');

describe.skipIf(skipReason !== null)('mini-openclaw migrate', () => {
  let cluster: PostgresCluster;
  let folder: TempDir;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    folder = makeTempDir('moc-migrate-');
  }, 60_000);
  afterAll(async () => {
    folder?.[Symbol.dispose]();
    await cluster?.[Symbol.asyncDispose]();
  });

  const masked = (url: string) => url.replace(`:${cluster.password}@`, ':***@');
  it('prepares a database from --database-url, exits 0, and says so without the password', async () => {
    const url = await cluster.createDatabase();
    const outcome = await runMain(folder.path, ['migrate', '--database-url', url]);
    expect(outcome).toEqual({
      code: 0,
      stdout: `mini-openclaw migrate: applied ${VERSIONS.join(', ')}; schema version ${LATEST} (${masked(url)})\n`,
      stderr: '',
    });
    await using sql = new SQL({ url, max: 1 });
    expect((await sql`SELECT to_regclass('schema_migrations')::text AS table`)[0].table).toBe('schema_migrations');
    expect((await sql`SELECT to_regclass('sessions')::text AS table`)[0].table).toBe('sessions');
  }, 30_000);

  it('reads APP_DATABASE_URL, ignores the DATABASE_URL and PG* of other tools, and runs again as a no-op', async () => {
    const url = await cluster.createDatabase();
    const elsewhere = `postgres://other:secret@127.0.0.1:${await freePort()}/other`;
    const otherTools = {
      DATABASE_URL: elsewhere,
      POSTGRES_URL: elsewhere,
      PGHOST: '127.0.0.1',
      PGPORT: '1',
      PGDATABASE: 'other',
    };
    for (const what of [`applied ${VERSIONS.join(', ')}`, 'nothing to apply']) {
      const outcome = await runMain(folder.path, ['migrate'], { APP_DATABASE_URL: url, ...otherTools });
      expect(outcome.code).toBe(0);
      expect(outcome.stdout).toBe(`mini-openclaw migrate: ${what}; schema version ${LATEST} (${masked(url)})\n`);
    }
  }, 30_000);

  it('exits 1 with the reason when the login fails or nothing listens, never printing the password', async () => {
    const url = await cluster.createDatabase();
    const wrong = url.replace(`:${cluster.password}@`, ':not-the-password@');
    const refused = await runMain(folder.path, ['migrate', '--database-url', wrong]);
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: `mini-openclaw migrate: cannot migrate ${masked(url)}: password authentication failed for user "postgres"\n`,
    });
    expect(refused.stderr).not.toContain('not-the-password');

    const port = await freePort();
    const nowhere = `postgres://postgres:${cluster.password}@127.0.0.1:${port}/moc`;
    const unreachable = await runMain(folder.path, ['migrate'], { APP_DATABASE_URL: nowhere });
    expect(unreachable.code).toBe(1);
    expect(unreachable).toEqual({
      code: 1,
      stdout: '',
      stderr: `mini-openclaw migrate: cannot migrate postgres://postgres:***@127.0.0.1:${port}/moc: connection refused: is PostgreSQL running and listening at 127.0.0.1:${port}?\n`,
    });
  }, 30_000);

  it('exits 2 without a database URL, and for a URL that is not PostgreSQL', async () => {
    const none = await runMain(folder.path, ['migrate']);
    expect(none).toEqual({
      code: 2,
      stdout: '',
      stderr: 'mini-openclaw migrate needs a database: pass --database-url or set APP_DATABASE_URL\n',
    });
    const bad = await runMain(folder.path, ['migrate'], { APP_DATABASE_URL: `mysql://moc:${cluster.password}@db/moc` });
    expect(bad).toEqual({
      code: 2,
      stdout: '',
      stderr: 'Invalid environment:\n  - APP_DATABASE_URL must start with postgres:// or postgresql://\n',
    });
  }, 30_000);

  it('serves from the database given by --database-url after migrating it, never printing the password', async () => {
    const url = await cluster.createDatabase();
    const child = Bun.spawn({
      cmd: [process.execPath, MAIN, '--port', '0', '--data-dir', join(folder.path, 'served'), '--database-url', url],
      cwd: folder.path,
      env: cleanEnv({ APP_LOG_LEVEL: 'error' }),
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    });
    try {
      const reader = child.stdout.getReader();
      let printed = '';
      while (!printed.includes('listening on')) {
        const chunk = await reader.read();
        if (chunk.done) break;
        printed += new TextDecoder().decode(chunk.value);
      }
      reader.releaseLock();
      const base = /listening on (http:\/\/\S+)/.exec(printed)?.[1];
      expect(base).toBeDefined();
      expect(printed).not.toContain(cluster.password);
      const created = await fetch(`${base}/api/sessions`, { method: 'POST' });
      expect(created.status).toBe(200);
      const { data } = (await created.json()) as { data: { session_id: string } };
      await using sql = new SQL({ url, max: 1 });
      expect((await sql`SELECT agent_id, id FROM sessions`).map((row: object) => ({ ...row }))).toEqual([
        { agent_id: 'default', id: data.session_id },
      ]);
    } finally {
      child.kill('SIGTERM');
      await child.exited;
    }
  }, 30_000);
});
