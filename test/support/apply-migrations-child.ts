// Child process for migration tests: applies the migrations in MIGRATIONS_JSON to DATABASE_URL_UNDER_TEST and prints the report.
import { applyPostgresMigrations } from '../../src/db/postgres/postgres-migrations';
import { openPostgresPool } from '../../src/db/postgres/postgres-pool';
import type { Migration } from '../../src/db/migrations';

const url = process.env.DATABASE_URL_UNDER_TEST ?? '';
const migrations: Migration[] = JSON.parse(process.env.MIGRATIONS_JSON ?? '[]');
await using sql = openPostgresPool({ url, poolSize: 1, applicationName: 'migration-child' });
const report = await applyPostgresMigrations(sql, migrations);
process.stdout.write(`${JSON.stringify(report)}\n`);
