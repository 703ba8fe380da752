// The SQLite scheduler and heartbeat stores against the ports' contracts, on fresh in-memory agent databases.
import { AGENT_DB_MIGRATIONS } from '../../db/agent-db.schema';
import { openDatabase } from '../../db/open-database';
import { describeHeartbeatStoreContract } from '../heartbeat-store.contract';
import { describeSchedulerStoreContract } from '../scheduler-store.contract';
import { createSqliteHeartbeatStore } from './heartbeat-store.sqlite';
import { createSqliteSchedulerStore } from './scheduler-store.sqlite';

describeSchedulerStoreContract('sqlite', () => {
  const db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
  return { store: createSqliteSchedulerStore(db), close: () => db.close() };
});

describeHeartbeatStoreContract('sqlite', () => {
  const db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
  return { store: createSqliteHeartbeatStore(db), close: () => db.close() };
});
