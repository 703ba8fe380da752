// The SQLite RunStore against the port's contract, and the status check of its table.
import { describe, expect, it } from 'bun:test';
import { AGENT_DB_MIGRATIONS } from '../../db/agent-db.schema';
import { openDatabase } from '../../db/open-database';
import { describeRunStoreContract } from '../run-store.contract';
import { createSqliteRunStore } from './run-store.sqlite';

describeRunStoreContract('sqlite', () => {
  const db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
  return { store: createSqliteRunStore(db), close: () => db.close() };
});

describe('runs table', () => {
  it('refuses a status outside the catalogue', async () => {
    using db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
    await createSqliteRunStore(db).insert({ runId: 'r', sessionId: 's', trigger: 'chat', startedMs: 1, model: null });
    expect(() => db.exec("UPDATE runs SET status = 'paused' WHERE run_id = 'r'")).toThrow();
  });
});
