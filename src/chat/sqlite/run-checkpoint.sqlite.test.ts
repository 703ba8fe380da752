// The SQLite RunCheckpointStore against the port's contract.
import { AGENT_DB_MIGRATIONS } from '../../db/agent-db.schema';
import { openDatabase } from '../../db/open-database';
import { describeRunCheckpointStoreContract } from '../run-checkpoint.contract';
import { createSqliteRunCheckpointStore } from './run-checkpoint.sqlite';

describeRunCheckpointStoreContract('sqlite', () => {
  const db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
  return { store: createSqliteRunCheckpointStore(db), close: () => db.close() };
});
