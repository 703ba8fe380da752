// The SQLite session and message stores against the ports' contracts, plus the query plans behind the session list.
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { makeTempDir } from '../../../test/support/temp-dir';
import { AGENT_DB_MIGRATIONS } from '../../db/agent-db.schema';
import { openDatabase } from '../../db/open-database';
import type { Clock } from '../../shared/clock';
import { describeMessageStoreContract } from '../message-store.contract';
import { describeSessionStoreContract } from '../session-store.contract';
import { createSqliteMessageStore } from './message-store.sqlite';
import { createSqliteSessionStore, listQuery } from './session-store.sqlite';

const make = (clock: Clock) => {
  const db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
  return {
    sessions: createSqliteSessionStore(db, clock),
    messages: createSqliteMessageStore(db, clock),
    close: () => db.close(),
  };
};

describeSessionStoreContract('sqlite', make);
describeMessageStoreContract('sqlite', make);

describe('createSqliteSessionStore list', () => {
  it('reads every list in index order, sorting nothing', () => {
    using db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
    for (const scope of ['active', 'archived', 'all'] as const) {
      for (const includeInternal of [false, true]) {
        const plan = db
          .query<{ detail: string }, []>(`EXPLAIN QUERY PLAN ${listQuery(scope, includeInternal)}`)
          .all()
          .map((row) => row.detail);
        expect(plan.some((detail) => detail.includes('USING INDEX sessions_'))).toBe(true);
        // No sort at all: not of the table, nor of the ties of the last ORDER BY term.
        expect(plan.filter((detail) => detail.includes('TEMP B-TREE'))).toEqual([]);
      }
    }
  });
});

describe('createSqliteSessionStore listStamp', () => {
  const clock: Clock = { nowMs: () => 1_800_000_000_000 };

  it("moves when another connection commits to the file, and a store opened anew never repeats an old one's", async () => {
    using folder = makeTempDir('moc-list-stamp-');
    const path = join(folder.path, 'agent.db');
    const db = openDatabase(path, AGENT_DB_MIGRATIONS);
    const sessions = createSqliteSessionStore(db, clock);
    await sessions.create('a', 'a');
    const before = await sessions.listStamp();
    using other = openDatabase(path, AGENT_DB_MIGRATIONS);
    other.query("UPDATE sessions SET title = 'from elsewhere' WHERE id = 'a'").run();
    const after = await sessions.listStamp();
    expect(after).not.toBe(before);
    expect((await sessions.list('active')).map((meta) => meta.title)).toEqual(['from elsewhere']);
    db.close();

    // Two connections in turn that change nothing count alike: the stamp still tells their stores apart.
    const idle: (string | null)[] = [];
    for (let round = 0; round < 2; round += 1) {
      using reopened = openDatabase(path, AGENT_DB_MIGRATIONS);
      idle.push(await createSqliteSessionStore(reopened, clock).listStamp());
    }
    expect(new Set([before, after, ...idle]).size).toBe(4);
  });

  it('gives none inside a transaction, whose writes may yet be rolled back', async () => {
    using db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
    const sessions = createSqliteSessionStore(db, clock);
    const stamps: (string | null)[] = [];
    db.transaction(() => {
      db.query("INSERT INTO sessions (id, title, created_at, updated_at) VALUES ('x', 'x', 1, 1)").run();
      void sessions.listStamp().then((stamp) => stamps.push(stamp));
    })();
    await Promise.resolve();
    expect(stamps).toEqual([null]);
    expect(await sessions.listStamp()).not.toBeNull();
  });
});
