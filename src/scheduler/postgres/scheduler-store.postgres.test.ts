// The PostgreSQL scheduler and heartbeat stores against the ports' contracts, on a throwaway cluster (one agent id per test).
import { describeWithPostgres } from '../../../test/support/postgres-database';
import { describeHeartbeatStoreContract } from '../heartbeat-store.contract';
import { describeSchedulerStoreContract } from '../scheduler-store.contract';
import { createPostgresHeartbeatStore } from './heartbeat-store.postgres';
import { createPostgresSchedulerStore } from './scheduler-store.postgres';

describeWithPostgres('postgres scheduler stores', (database) => {
  describeSchedulerStoreContract('postgres', () => ({
    store: createPostgresSchedulerStore(database.sql, database.freshAgentId()),
    close: () => undefined,
  }));
  describeHeartbeatStoreContract('postgres', () => ({
    store: createPostgresHeartbeatStore(database.sql, database.freshAgentId()),
    close: () => undefined,
  }));
});
