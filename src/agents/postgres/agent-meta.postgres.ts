// PostgreSQL adapter of AgentMetaStore: the agent's row in the shared `agents` table.
import type { SQL } from 'bun';
import type { AgentMetaStore } from '../agent-meta.port';

/**
 * The store of agent `agentId`. The first read records `createdAtSeconds()` when the agent has no row yet
 * (an agent created before it had one); every later read, on any replica, answers the stored value.
 */
export function createPostgresAgentMetaStore(
  sql: SQL,
  agentId: string,
  createdAtSeconds: () => number,
): AgentMetaStore {
  let known: number | null = null;
  return {
    async createdAt() {
      if (known !== null) return known;
      const [row] = await sql`WITH added AS (
          INSERT INTO agents (id, created_at) VALUES (${agentId}, ${createdAtSeconds()})
          ON CONFLICT (id) DO NOTHING RETURNING created_at
        )
        SELECT created_at FROM added UNION ALL SELECT created_at FROM agents WHERE id = ${agentId} LIMIT 1`;
      known = Number(row.created_at);
      return known;
    },
  };
}
