// The PostgreSQL UsageStore against the port's contract, on a throwaway cluster (one agent id per test).
import { describeWithPostgres } from '../../../test/support/postgres-database';
import { describeUsageStoreContract } from '../usage.contract';
import { createPostgresUsageStore } from './usage-store.postgres';

describeWithPostgres('postgres usage store', (database) => {
  describeUsageStoreContract('postgres', () => {
    const agentId = database.freshAgentId();
    return { store: createPostgresUsageStore(database.sql, agentId), close: () => undefined, agentId };
  });
});
