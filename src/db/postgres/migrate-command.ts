// `mini-openclaw migrate`: apply the PostgreSQL migrations ahead of a rollout, then exit.
import { SQL } from 'bun';
import type { Migration } from '../migrations';
import { maskDatabaseUrl, maskSecretsIn } from '../../shared/database-url';
import { POSTGRES_MIGRATIONS } from './postgres-db.schema';
import { applyPostgresMigrations } from './postgres-migrations';
import { openPostgresPool } from './postgres-pool';

export interface MigrateCommandInput {
  /** The validated database URL (see `checkDatabaseUrl`). */
  url: string;
  /** Defaults to the release's own list; tests pass theirs. */
  migrations?: readonly Migration[];
  lockWaitMs?: number;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** The driver's message, with a hint where its own words are terse. */
function describeFailure(error: unknown, url: string): string {
  if (error instanceof SQL.PostgresError && error.code === 'ERR_POSTGRES_CONNECTION_REFUSED') {
    const { hostname, port } = new URL(url);
    return `connection refused: is PostgreSQL running and listening at ${hostname || 'the socket'}:${port || 5432}?`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Applies every pending migration and reports what it did on `out`. Returns the exit status: 0 when the
 * schema is current, 1 when the database cannot be reached or a migration fails (the reason on `err`,
 * with the URL's password masked). One connection is enough: the runner works on a single session.
 */
export async function runMigrateCommand(input: MigrateCommandInput): Promise<number> {
  const target = maskDatabaseUrl(input.url);
  const sql = openPostgresPool({ url: input.url, poolSize: 1, applicationName: 'mini-openclaw migrate' });
  try {
    const report = await applyPostgresMigrations(sql, input.migrations ?? POSTGRES_MIGRATIONS, {
      lockWaitMs: input.lockWaitMs,
    });
    const what = report.applied.length === 0 ? 'nothing to apply' : `applied ${report.applied.join(', ')}`;
    input.out(`mini-openclaw migrate: ${what}; schema version ${report.version} (${target})`);
    return 0;
  } catch (error) {
    const reason = maskSecretsIn(describeFailure(error, input.url), input.url);
    input.err(`mini-openclaw migrate: cannot migrate ${target}: ${reason}`);
    return 1;
  } finally {
    await sql.close({ timeout: 5 });
  }
}
