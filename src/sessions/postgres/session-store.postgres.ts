// PostgreSQL adapter of SessionStore: one agent's rows of the shared `sessions` table; every change is one statement or transaction.
import type { SQL, TransactionSQL } from 'bun';
import { toEpochSeconds, type Clock } from '../../shared/clock';
import type { SessionStore } from '../session.port';
import type { LiveResponse, SessionRecord, SessionScope } from '../session-types';
import { toMeta, type SessionRow } from '../sqlite/session-rows';

type Runner = SQL | TransactionSQL;

const USER_ONLY = "AND left(id, 2) <> '__'";

function listQuery(scope: SessionScope, includeInternal: boolean): string {
  const internal = includeInternal ? '' : USER_ONLY;
  const columns = 'id, title, created_at, updated_at, archived_at';
  if (scope === 'active')
    return `SELECT ${columns} FROM sessions WHERE agent_id = $1 AND archived_at IS NULL ${internal} ORDER BY updated_at DESC, seq DESC`;
  if (scope === 'archived')
    return `SELECT ${columns} FROM sessions WHERE agent_id = $1 AND archived_at IS NOT NULL ${internal} ORDER BY updated_at DESC, seq DESC`;
  return `SELECT ${columns} FROM sessions WHERE agent_id = $1 ${internal} ORDER BY updated_at DESC, (archived_at IS NOT NULL), seq DESC`;
}

/**
 * Keeps each live snapshot of `agentId` left by a stopped run (with content) as an `interrupted` reply
 * and clears it, in one transaction; `sessionIds` narrows it to those sessions. Returns how many
 * snapshots there were. Rows are locked first, so two replicas recovering at once record each reply once.
 */
export async function recoverInterruptedPostgres(
  sql: SQL,
  agentId: string,
  clock: Clock,
  sessionIds?: readonly string[],
): Promise<number> {
  return await sql.begin(async (tx) => {
    const only = sessionIds ? tx`AND id IN ${tx(sessionIds as string[])}` : tx``;
    const stale: { id: string; live_response: string }[] =
      await tx`SELECT id, live_response FROM sessions WHERE agent_id = ${agentId} AND live_response IS NOT NULL ${only} ORDER BY seq FOR UPDATE`;
    const at = toEpochSeconds(clock.nowMs());
    for (const row of stale) {
      const live = JSON.parse(row.live_response) as LiveResponse;
      if (live.content || live.toolCalls.length > 0) {
        const toolCalls = live.toolCalls.length > 0 ? JSON.stringify(live.toolCalls) : null;
        await tx`INSERT INTO messages (agent_id, session_id, role, content, tool_calls, run_id, status, created_at)
          VALUES (${agentId}, ${row.id}, 'assistant', ${live.content}, ${toolCalls}, ${live.runId}, 'interrupted', ${at})`;
      }
      await tx`UPDATE sessions SET live_response = NULL WHERE agent_id = ${agentId} AND id = ${row.id}`;
    }
    return stale.length;
  });
}

async function findSession(sql: Runner, agentId: string, sessionId: string): Promise<SessionRecord | null> {
  const [row]: SessionRow[] = await sql`SELECT * FROM sessions WHERE agent_id = ${agentId} AND id = ${sessionId}`;
  if (!row) return null;
  return {
    ...toMeta(row),
    archivedAt: row.archived_at,
    compressedContext: row.compressed_context,
    liveResponse: row.live_response ? (JSON.parse(row.live_response) as LiveResponse) : null,
  };
}

/** The sessions of agent `agentId` in the shared database. */
export function createPostgresSessionStore(sql: SQL, agentId: string, clock: Clock): SessionStore {
  const now = () => toEpochSeconds(clock.nowMs());
  return {
    async list(scope, options) {
      const rows: SessionRow[] = await sql.unsafe(listQuery(scope, options?.includeInternal ?? false), [agentId]);
      return rows.map(toMeta);
    },
    // Other replicas write the same tables and nothing here hears of it: every list is read.
    listStamp: async () => null,
    async create(sessionId, title) {
      const at = now();
      await sql`INSERT INTO sessions (agent_id, id, title, created_at, updated_at) VALUES (${agentId}, ${sessionId}, ${title}, ${at}, ${at})`;
      return { sessionId, title, createdAt: at, updatedAt: at, archived: false };
    },
    find: (sessionId) => findSession(sql, agentId, sessionId),
    async rename(sessionId, title) {
      const [row]: SessionRow[] = await sql`UPDATE sessions SET title = ${title}, updated_at = ${now()}
        WHERE agent_id = ${agentId} AND id = ${sessionId} RETURNING id, title, created_at, updated_at, archived_at`;
      return row ? toMeta(row) : null;
    },
    async archive(sessionId) {
      await sql`UPDATE sessions SET archived_at = ${now()} WHERE agent_id = ${agentId} AND id = ${sessionId}`;
    },
    async restore(sessionId) {
      await sql`UPDATE sessions SET archived_at = NULL WHERE agent_id = ${agentId} AND id = ${sessionId}`;
    },
    async delete(sessionId) {
      await sql.begin(async (tx) => {
        await tx`DELETE FROM sessions WHERE agent_id = ${agentId} AND id = ${sessionId}`;
        await tx`DELETE FROM compressed_messages WHERE agent_id = ${agentId} AND session_id = ${sessionId}`;
      });
    },
    async setLiveResponse(sessionId, live) {
      await sql`UPDATE sessions SET live_response = ${live ? JSON.stringify(live) : null}, updated_at = ${now()}
        WHERE agent_id = ${agentId} AND id = ${sessionId}`;
    },
    recoverInterrupted: (sessionIds) => recoverInterruptedPostgres(sql, agentId, clock, sessionIds),
    async liveSessionIds() {
      const rows: { id: string }[] =
        await sql`SELECT id FROM sessions WHERE agent_id = ${agentId} AND live_response IS NOT NULL ORDER BY seq`;
      return rows.map((row) => row.id);
    },
    async counts() {
      const [row] = await sql`SELECT count(*) FILTER (WHERE archived_at IS NULL)::integer AS active,
        count(*) FILTER (WHERE archived_at IS NOT NULL)::integer AS archived, max(updated_at) AS at
        FROM sessions WHERE agent_id = ${agentId}`;
      return { active: row.active, archived: row.archived, lastUpdatedAt: row.at ?? null };
    },
  };
}
