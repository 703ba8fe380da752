// Schema of the shared PostgreSQL database (--database-url). Append new migrations; never edit a released one.
import type { Migration } from '../migrations';

/**
 * Empty until the storage adapters of issue 17 bring their tables: the runner itself creates the
 * `schema_migrations` bookkeeping, so `mini-openclaw migrate` already prepares a database for them.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [];
