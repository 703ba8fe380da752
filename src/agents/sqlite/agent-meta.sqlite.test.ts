// The SQLite AgentMetaStore against the port's contract, on fresh in-memory agent databases.
import { AGENT_DB_MIGRATIONS } from '../../db/agent-db.schema';
import { openDatabase } from '../../db/open-database';
import { describeAgentMetaStoreContract } from '../agent-meta.contract';
import { createSqliteAgentMetaStore } from './agent-meta.sqlite';

describeAgentMetaStoreContract('sqlite', (createdAtSeconds) => {
  const db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
  return { store: createSqliteAgentMetaStore(db, () => createdAtSeconds), close: () => db.close() };
});
