import { describe, expect, it } from 'bun:test';
import { Database } from 'bun:sqlite';
import { join } from 'node:path';
import { makeTempDir } from '../../test/support/temp-dir';
import { storageFaultError } from '../shared/storage-fault';
import { nameDatabaseFaults } from './name-database-faults';

/** A store over a database another connection keeps locked: each write fails SQLITE_BUSY at once. */
function lockedStore(path: string) {
  const holder = new Database(path);
  holder.exec('CREATE TABLE t (a)');
  holder.exec('BEGIN IMMEDIATE');
  const db = new Database(path);
  db.exec('PRAGMA busy_timeout = 0');
  return {
    store: {
      insertNow: () => db.exec('INSERT INTO t VALUES (1)'),
      insertLater: async () => db.exec('INSERT INTO t VALUES (1)'),
      count: async () => (db.query('SELECT count(*) AS n FROM t').get() as { n: number }).n,
      label: 'kept',
    },
    [Symbol.dispose]() {
      db.close();
      holder.exec('ROLLBACK');
      holder.close();
    },
  };
}

const detailsOf = (error: unknown, dataDir: string) => storageFaultError(error, dataDir)?.details;

describe('nameDatabaseFaults', () => {
  it("gives a store's SQLite errors, thrown or rejected, its database file; values pass unchanged", async () => {
    using temp = makeTempDir();
    const path = join(temp.path, 'agent.db');
    using locked = lockedStore(path);
    const store = nameDatabaseFaults(locked.store, path);
    let thrown: unknown;
    try {
      store.insertNow();
    } catch (error) {
      thrown = error;
    }
    expect(detailsOf(thrown, temp.path)).toEqual({ reason: 'database_busy', file: 'agent.db' });
    const rejected = await store.insertLater().catch((error: unknown) => error);
    expect(detailsOf(rejected, temp.path)).toEqual({ reason: 'database_busy', file: 'agent.db' });
    expect(await store.count()).toBe(0);
    expect(store.label).toBe('kept');
  });
});
