// Opens a SQLite file the way every store expects it: WAL, busy timeout, foreign keys, migrated.
import { Database } from 'bun:sqlite';
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { withDatabase } from '../shared/storage-fault';
import { applyMigrations, type Migration } from './migrations';

/**
 * Opens (creating if needed) the database at `path` and applies `migrations` in order.
 * `:memory:` is accepted for tests. A SQLite error names `path` (withDatabase), so a 503 can say which database.
 */
export function openDatabase(path: string, migrations: readonly Migration[]): Database {
  if (path !== ':memory:') makeFolderOf(path);
  let db: Database;
  try {
    db = new Database(path, { create: true, strict: true });
  } catch (error) {
    throw withDatabase(error, path);
  }
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA busy_timeout = 5000');
    db.exec('PRAGMA foreign_keys = ON');
    applyMigrations(db, migrations);
  } catch (error) {
    // A database we cannot use (a newer release's, a read-only file) is closed here, or every retry leaks a handle.
    db.close();
    throw withDatabase(error, path);
  }
  return db;
}

/**
 * Makes the folder `path` goes in. A file (or a link to one) at the folder's name fails as opening `path` through it
 * does, ENOTDIR naming `path` (a storage fault of that folder), rather than as mkdir's EEXIST.
 */
function makeFolderOf(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    if ((error as { code?: string }).code === 'EEXIST') statSync(path, { throwIfNoEntry: false });
    throw error;
  }
}
