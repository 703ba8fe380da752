// The SQLite ApprovalStore against the port's contract.
import { AGENT_DB_MIGRATIONS } from '../../db/agent-db.schema';
import { openDatabase } from '../../db/open-database';
import { describeApprovalStoreContract } from '../approval-store.contract';
import { createSqliteApprovalStore } from './approval-store.sqlite';

describeApprovalStoreContract('sqlite', () => {
  const db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
  return { store: createSqliteApprovalStore(db), close: () => db.close() };
});
