// Versioned schema migrations tracked in PRAGMA user_version; each one runs in a transaction.
import type { Database } from 'bun:sqlite';
import { AppError } from '../shared/app-error';

export interface Migration {
  /** 1-based, strictly increasing. */
  version: number;
  description: string;
  sql: string;
}

/**
 * Applies every migration newer than the database's user_version. Refuses a database from a newer
 * release with 503 `storage_unavailable` (the data stays as it is; a newer release opens it).
 */
export function applyMigrations(db: Database, migrations: readonly Migration[]): void {
  const row = db.query('PRAGMA user_version').get() as { user_version: number };
  const current = row.user_version;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new AppError(
      'storage_unavailable',
      `Database schema version ${current} is newer than this release supports (${latest})`,
      {
        schema_version: current,
        supported_version: latest,
      },
    );
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.exec(`PRAGMA user_version = ${migration.version}`);
    })();
  }
}
