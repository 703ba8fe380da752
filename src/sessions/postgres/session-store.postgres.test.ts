// The PostgreSQL session and message stores against the ports' contracts, on a throwaway cluster (one agent id per test).
import { describeWithPostgres } from '../../../test/support/postgres-database';
import type { Clock } from '../../shared/clock';
import { describeMessageStoreContract } from '../message-store.contract';
import { describeSessionStoreContract } from '../session-store.contract';
import { createPostgresMessageStore } from './message-store.postgres';
import { createPostgresSessionStore } from './session-store.postgres';

describeWithPostgres('postgres session stores', (database) => {
  const make = (clock: Clock) => {
    const agentId = database.freshAgentId();
    return {
      sessions: createPostgresSessionStore(database.sql, agentId, clock),
      messages: createPostgresMessageStore(database.sql, agentId, clock),
      close: () => undefined,
    };
  };
  describeSessionStoreContract('postgres', make);
  describeMessageStoreContract('postgres', make);
});
