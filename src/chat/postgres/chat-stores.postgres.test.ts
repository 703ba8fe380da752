// The PostgreSQL run and approval stores against the ports' contracts, on a throwaway cluster (one agent id per test).
import { describeWithPostgres } from '../../../test/support/postgres-database';
import { describeApprovalStoreContract } from '../approval-store.contract';
import { describeRunCheckpointStoreContract } from '../run-checkpoint.contract';
import { describeRunStoreContract } from '../run-store.contract';
import { createPostgresApprovalStore } from './approval-store.postgres';
import { createPostgresRunCheckpointStore } from './run-checkpoint.postgres';
import { createPostgresRunStore } from './run-store.postgres';

describeWithPostgres('postgres chat stores', (database) => {
  describeRunStoreContract('postgres', () => ({
    store: createPostgresRunStore(database.sql, database.freshAgentId()),
    close: () => undefined,
  }));
  describeApprovalStoreContract('postgres', () => ({
    store: createPostgresApprovalStore(database.sql, database.freshAgentId()),
    close: () => undefined,
  }));
  describeRunCheckpointStoreContract('postgres', () => ({
    store: createPostgresRunCheckpointStore(database.sql, database.freshAgentId()),
    close: () => undefined,
  }));
});
