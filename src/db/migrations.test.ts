import { Database } from 'bun:sqlite';
import { describe, expect, it } from 'bun:test';
import { AppError } from '../shared/app-error';
import { applyMigrations } from './migrations';

const MIGRATIONS = [
  { version: 1, description: 'notes', sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)' },
  { version: 2, description: 'tags', sql: 'ALTER TABLE notes ADD COLUMN tag TEXT' },
];

describe('applyMigrations', () => {
  it('applies the migrations a database lacks and records the version', () => {
    using db = new Database(':memory:');
    applyMigrations(db, MIGRATIONS.slice(0, 1));
    applyMigrations(db, MIGRATIONS);
    expect((db.query('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(2);
    expect(db.query('SELECT name FROM pragma_table_info(?)').all('notes')).toEqual([
      { name: 'id' },
      { name: 'text' },
      { name: 'tag' },
    ]);
  });

  it('refuses a database from a newer release with 503 storage_unavailable and leaves it as it is', () => {
    using db = new Database(':memory:');
    db.exec('PRAGMA user_version = 7');
    let thrown: unknown;
    try {
      applyMigrations(db, MIGRATIONS);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    const error = thrown as AppError;
    expect({ code: error.code, status: error.status, message: error.message, details: error.details }).toEqual({
      code: 'storage_unavailable',
      status: 503,
      message: 'Database schema version 7 is newer than this release supports (2)',
      details: { schema_version: 7, supported_version: 2 },
    });
    expect(db.query("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([]);
  });
});
