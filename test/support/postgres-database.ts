// One migrated PostgreSQL database per test file, for the adapters' contract suites: a cluster started once, skipped where none can run.
import { afterAll, beforeAll, describe } from 'bun:test';
import type { SQL } from 'bun';
import { POSTGRES_MIGRATIONS } from '../../src/db/postgres/postgres-db.schema';
import { applyPostgresMigrations } from '../../src/db/postgres/postgres-migrations';
import { openPostgresPool } from '../../src/db/postgres/postgres-pool';
import { postgresUnavailableReason, startPostgresCluster, type PostgresCluster } from './postgres-cluster';

export interface PostgresTestDatabase {
  /** The pool over the file's database (set before the first test runs). */
  readonly sql: SQL;
  readonly cluster: PostgresCluster;
  readonly url: string;
  /** An agent id no other test of the file uses: rows are keyed by agent, so each test starts empty. */
  freshAgentId(): string;
}

/**
 * Registers `body`'s tests under `name` with a cluster started before them and removed after (one per
 * file); the whole block skips, saying why, where PostgreSQL cannot start.
 */
export function describeWithPostgres(name: string, body: (database: PostgresTestDatabase) => void): void {
  const skipReason = postgresUnavailableReason();
  if (skipReason) console.log(`${name} skipped: ${skipReason}`);
  describe.skipIf(skipReason !== null)(name, () => {
    let cluster: PostgresCluster | undefined;
    let sql: SQL | undefined;
    let url = '';
    let agents = 0;
    beforeAll(async () => {
      cluster = await startPostgresCluster();
      url = await cluster.createDatabase();
      sql = openPostgresPool({ url, poolSize: 4 });
      await applyPostgresMigrations(sql, POSTGRES_MIGRATIONS);
    }, 60_000);
    afterAll(async () => {
      await sql?.close({ timeout: 1 });
      await cluster?.[Symbol.asyncDispose]();
    });
    body({
      get sql() {
        if (!sql) throw new Error('the PostgreSQL test database is not started yet');
        return sql;
      },
      get cluster() {
        if (!cluster) throw new Error('the PostgreSQL test cluster is not started yet');
        return cluster;
      },
      get url() {
        return url;
      },
      freshAgentId: () => `agent-${++agents}-${crypto.randomUUID().slice(0, 8)}`,
    });
  });
}
