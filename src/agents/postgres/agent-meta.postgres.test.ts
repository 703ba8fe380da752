// The PostgreSQL AgentMetaStore against the port's contract, and a second store of the same agent reading the first one's value.
import { expect, it } from 'bun:test';
import { describeWithPostgres } from '../../../test/support/postgres-database';
import { describeAgentMetaStoreContract } from '../agent-meta.contract';
import { createPostgresAgentMetaStore } from './agent-meta.postgres';

describeWithPostgres('postgres agent meta store', (database) => {
  describeAgentMetaStoreContract('postgres', (createdAtSeconds) => ({
    store: createPostgresAgentMetaStore(database.sql, database.freshAgentId(), () => createdAtSeconds),
    close: () => undefined,
  }));

  it('keeps the first recorded creation time for every replica that opens the agent later', async () => {
    const agentId = database.freshAgentId();
    expect(await createPostgresAgentMetaStore(database.sql, agentId, () => 100).createdAt()).toBe(100);
    expect(await createPostgresAgentMetaStore(database.sql, agentId, () => 200).createdAt()).toBe(100);
  });
});
