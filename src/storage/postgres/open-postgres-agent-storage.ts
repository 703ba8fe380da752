// Opens an agent's storage in PostgreSQL: every domain's adapter over the shared pool, keyed by the agent's id.
import type { SQL } from 'bun';
import { statSync } from 'node:fs';
import { createPostgresAgentMetaStore } from '../../agents/postgres/agent-meta.postgres';
import { createPostgresApprovalStore } from '../../chat/postgres/approval-store.postgres';
import { createPostgresRunCheckpointStore } from '../../chat/postgres/run-checkpoint.postgres';
import { createPostgresRunStore } from '../../chat/postgres/run-store.postgres';
import { AGENT_TABLES } from '../../db/postgres/postgres-db.schema';
import { createPostgresHeartbeatStore } from '../../scheduler/postgres/heartbeat-store.postgres';
import { createPostgresSchedulerStore } from '../../scheduler/postgres/scheduler-store.postgres';
import { createPostgresMessageStore } from '../../sessions/postgres/message-store.postgres';
import { createPostgresSessionStore } from '../../sessions/postgres/session-store.postgres';
import { toEpochSeconds, type Clock } from '../../shared/clock';
import { createPostgresToolAuditStore } from '../../tools/postgres/tool-audit.postgres';
import { createPostgresUsageStore } from '../../usage/postgres/usage-store.postgres';
import type { AgentStorage } from '../agent-storage';

export interface PostgresAgentStorageDeps {
  sql: SQL;
  clock: Clock;
  /** The creation time (epoch seconds) to record for an agent without one; by default its folder's birth time. */
  createdAt?: (id: string) => number | undefined;
}

/**
 * The opener the agent registry calls on an agent's first use. Opening costs nothing (no query, no file):
 * the stores share the server's pool, and `close` leaves it open. Unlike SQLite, live snapshots are not
 * recovered here: another replica may be streaming into them (see the sessions' orphan recovery).
 */
export function postgresAgentStorage({
  sql,
  clock,
  createdAt,
}: PostgresAgentStorageDeps): (id: string, root: string) => AgentStorage {
  return (id, root) => ({
    agentMeta: createPostgresAgentMetaStore(sql, id, () => {
      const given = createdAt?.(id);
      if (given !== undefined) return given;
      try {
        return toEpochSeconds(statSync(root).birthtimeMs || clock.nowMs());
      } catch {
        // The folder went (a deletion elsewhere): the creation time is now.
        return toEpochSeconds(clock.nowMs());
      }
    }),
    sessions: createPostgresSessionStore(sql, id, clock),
    messages: createPostgresMessageStore(sql, id, clock),
    toolAudit: createPostgresToolAuditStore(sql, id),
    usage: createPostgresUsageStore(sql, id),
    scheduler: createPostgresSchedulerStore(sql, id),
    heartbeats: createPostgresHeartbeatStore(sql, id),
    runs: createPostgresRunStore(sql, id),
    approvals: createPostgresApprovalStore(sql, id),
    checkpoints: createPostgresRunCheckpointStore(sql, id),
    close: () => undefined,
  });
}

/** Removes every row of agent `agentId` (its folder is the registry's), in one transaction. */
export async function deletePostgresAgentRows(sql: SQL, agentId: string): Promise<void> {
  await sql.begin(async (tx) => {
    for (const table of AGENT_TABLES) await tx.unsafe(`DELETE FROM ${table} WHERE agent_id = $1`, [agentId]);
    await tx`DELETE FROM agents WHERE id = ${agentId}`;
  });
}
