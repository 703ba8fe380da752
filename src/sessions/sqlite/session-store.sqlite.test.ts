// The SQLite session and message stores against the ports' contracts, plus the query plans behind the session list.
import { describe, expect, it } from 'bun:test';
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
