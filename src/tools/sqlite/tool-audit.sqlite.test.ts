// The SQLite ToolAuditStore against the port's contract, on fresh in-memory agent databases.
import { AGENT_DB_MIGRATIONS } from '../../db/agent-db.schema';
import { openDatabase } from '../../db/open-database';
import { describeToolAuditStoreContract } from '../tool-audit.contract';
import { createSqliteToolAuditStore } from './tool-audit.sqlite';

describeToolAuditStoreContract('sqlite', () => {
  const db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
  return { store: createSqliteToolAuditStore(db), close: () => db.close() };
});
