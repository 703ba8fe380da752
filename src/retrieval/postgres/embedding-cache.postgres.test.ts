// The PostgreSQL SharedEmbeddingCache against the port's contract (a fresh database per test: hashes repeat across tests).
import { afterAll } from 'bun:test';
import type { SQL } from 'bun';
import { describeWithPostgres } from '../../../test/support/postgres-database';
import { POSTGRES_MIGRATIONS } from '../../db/postgres/postgres-db.schema';
import { applyPostgresMigrations } from '../../db/postgres/postgres-migrations';
import { openPostgresPool } from '../../db/postgres/postgres-pool';
import { describeEmbeddingCacheContract } from '../embedding-cache.contract';
import { createPostgresEmbeddingCache } from './embedding-cache.postgres';

describeWithPostgres('postgres embedding cache', (database) => {
  const pools: SQL[] = [];
  afterAll(async () => {
    for (const pool of pools) await pool.close({ timeout: 1 });
  });
  describeEmbeddingCacheContract('postgres', async () => {
    const sql = openPostgresPool({ url: await database.cluster.createDatabase(), poolSize: 2 });
    pools.push(sql);
    await applyPostgresMigrations(sql, POSTGRES_MIGRATIONS);
    return createPostgresEmbeddingCache(sql);
  });
});
