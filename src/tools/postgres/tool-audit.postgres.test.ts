// The PostgreSQL ToolAuditStore against the port's contract, on a throwaway cluster (one agent id per test).
import { describeWithPostgres } from '../../../test/support/postgres-database';
import { describeToolAuditStoreContract } from '../tool-audit.contract';
import { createPostgresToolAuditStore } from './tool-audit.postgres';

describeWithPostgres('postgres tool audit store', (database) => {
  describeToolAuditStoreContract('postgres', () => ({
    store: createPostgresToolAuditStore(database.sql, database.freshAgentId()),
    close: () => undefined,
  }));
});
