// The agent database's own migrations on a database that holds data: the session list indexes of version 12.
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { makeTempDir } from '../../test/support/temp-dir';
import { AGENT_DB_MIGRATIONS } from './agent-db.schema';
import { openDatabase } from './open-database';

const sessionIndexes = (path: string) => {
  using db = openDatabase(path, AGENT_DB_MIGRATIONS);
  return db
    .query<{ name: string }, []>(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sessions' AND sql IS NOT NULL ORDER BY name",
    )
    .all()
    .map((row) => row.name);
};

const newestFirst = (path: string) => {
  using db = openDatabase(path, AGENT_DB_MIGRATIONS);
  return db
    .query<{ id: string }, []>('SELECT id FROM sessions ORDER BY updated_at DESC, rowid DESC')
    .all()
    .map((row) => row.id);
};

describe('agent database migrations', () => {
  it('moves a version 11 database with sessions to the version 12 indexes, and again after a hand set back to 11', () => {
    using folder = makeTempDir('moc-agent-db-');
    const path = join(folder.path, 'agent.db');
    {
      using db = openDatabase(
        path,
        AGENT_DB_MIGRATIONS.filter((migration) => migration.version <= 11),
      );
      const insert = db.query("INSERT INTO sessions (id, title, created_at, updated_at) VALUES (?, 'New chat', 1, ?)");
      for (const [id, at] of [
        ['a', 5],
        ['b', 5],
        ['c', 7],
      ] as const)
        insert.run(id, at);
      db.query("UPDATE sessions SET archived_at = 9 WHERE id = 'b'").run();
    }
    const expected = ['sessions_active_by_updated', 'sessions_archived_by_updated', 'sessions_by_updated'];
    expect(sessionIndexes(path)).toEqual(expected);
    expect(newestFirst(path)).toEqual(['c', 'b', 'a']);
    {
      using db = openDatabase(path, AGENT_DB_MIGRATIONS);
      db.exec('PRAGMA user_version = 11');
    }
    expect(sessionIndexes(path)).toEqual(expected);
    expect(newestFirst(path)).toEqual(['c', 'b', 'a']);
  });
});
