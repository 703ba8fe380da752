// PostgreSQL adapter of MessageStore: one agent's rows of the shared `messages` and `compressed_messages` tables.
import type { SQL, TransactionSQL } from 'bun';
import { toNumber } from '../../db/postgres/row-values';
import { notFound } from '../../shared/app-error';
import { toEpochSeconds, type Clock } from '../../shared/clock';
import type { MessageStore } from '../session.port';
import type { EnqueueOutcome, NewMessage, StoredMessage } from '../session-types';
import { toMessage, type MessageRow } from '../sqlite/session-rows';

/**
 * Locks the session row (so a concurrent archive or delete waits, and writes of messages to the session run one
 * after another) and throws 404 when it is missing or archived.
 */
async function requireActive(tx: TransactionSQL, agentId: string, sessionId: string): Promise<void> {
  const [row] = await tx`SELECT 1 AS one FROM sessions
    WHERE agent_id = ${agentId} AND id = ${sessionId} AND archived_at IS NULL FOR UPDATE`;
  if (!row) throw notFound('Session not found');
}

/** The messages of agent `agentId` in the shared database. */
export function createPostgresMessageStore(sql: SQL, agentId: string, clock: Clock): MessageStore {
  const now = () => toEpochSeconds(clock.nowMs());
  const list = async (runner: SQL | TransactionSQL, sessionId: string): Promise<StoredMessage[]> => {
    const rows: MessageRow[] = await runner`SELECT role, content, tool_calls, run_id, status, created_at FROM messages
      WHERE agent_id = ${agentId} AND session_id = ${sessionId} ORDER BY id`;
    return rows.map(toMessage);
  };
  const countQueued = async (tx: TransactionSQL, sessionId: string): Promise<number> => {
    const [row] = await tx`SELECT count(*)::integer AS n FROM messages
      WHERE agent_id = ${agentId} AND session_id = ${sessionId} AND status = 'queued'`;
    return row.n as number;
  };
  /** Queued message `id` out of the session; false when it is no longer there. */
  const removeQueued = async (runner: SQL | TransactionSQL, sessionId: string, id: number): Promise<boolean> => {
    const removed = await runner`DELETE FROM messages
      WHERE agent_id = ${agentId} AND session_id = ${sessionId} AND id = ${id} AND status = 'queued'`;
    return removed.count > 0;
  };
  /** `messages` stored at the end of the session inside `tx`, stamped now; the session touched (`endLive`: its snapshot cleared). */
  const appendIn = async (tx: TransactionSQL, sessionId: string, messages: readonly NewMessage[], endLive: boolean) => {
    await requireActive(tx, agentId, sessionId);
    const at = now();
    const rows = messages.map((message) => ({
      agent_id: agentId,
      session_id: sessionId,
      role: message.role,
      content: message.content,
      tool_calls: message.toolCalls && message.toolCalls.length > 0 ? JSON.stringify(message.toolCalls) : null,
      run_id: message.runId ?? null,
      status: message.status ?? null,
      created_at: at,
    }));
    if (rows.length > 0) await tx`INSERT INTO messages ${tx(rows)}`;
    if (endLive)
      await tx`UPDATE sessions SET updated_at = ${at}, live_response = NULL
        WHERE agent_id = ${agentId} AND id = ${sessionId}`;
    else await tx`UPDATE sessions SET updated_at = ${at} WHERE agent_id = ${agentId} AND id = ${sessionId}`;
  };
  return {
    list: (sessionId) => list(sql, sessionId),
    async append(sessionId, messages, options) {
      await sql.begin((tx) => appendIn(tx, sessionId, messages, options?.endLive === true));
    },
    async takeQueued(sessionId, id, messages) {
      return await sql.begin(async (tx) => {
        await requireActive(tx, agentId, sessionId);
        if (!(await removeQueued(tx, sessionId, id))) return false;
        await appendIn(tx, sessionId, messages, false);
        return true;
      });
    },
    async lastId(sessionId) {
      const [row] = await sql`SELECT coalesce(max(id), 0) AS id FROM messages
        WHERE agent_id = ${agentId} AND session_id = ${sessionId}`;
      return toNumber(row.id);
    },
    async deleteAfter(sessionId, mark) {
      await sql`DELETE FROM messages WHERE agent_id = ${agentId} AND session_id = ${sessionId} AND id > ${mark}
        AND status IS DISTINCT FROM 'queued'`;
    },
    async compress(sessionId, count, compressedContext) {
      return await sql.begin(async (tx) => {
        await requireActive(tx, agentId, sessionId);
        // Queued messages wait for their own run: a compression neither archives nor counts them.
        const rows: (MessageRow & { id: unknown })[] = await tx`SELECT id, role, content, tool_calls, run_id, status,
          created_at FROM messages WHERE agent_id = ${agentId} AND session_id = ${sessionId}
          AND status IS DISTINCT FROM 'queued' ORDER BY id LIMIT ${count}`;
        const archived = rows.map(toMessage);
        const at = now();
        await tx`INSERT INTO compressed_messages (agent_id, session_id, compressed_at, messages)
          VALUES (${agentId}, ${sessionId}, ${at}, ${JSON.stringify(archived)})`;
        const ids = rows.map((row) => toNumber(row.id));
        if (ids.length > 0) await tx`DELETE FROM messages WHERE id IN ${tx(ids)}`;
        await tx`UPDATE sessions SET compressed_context = ${compressedContext}, updated_at = ${at}
          WHERE agent_id = ${agentId} AND id = ${sessionId}`;
        const [row] = await tx`SELECT count(*)::integer AS n FROM messages
          WHERE agent_id = ${agentId} AND session_id = ${sessionId} AND status IS DISTINCT FROM 'queued'`;
        return { archived, remaining: row.n as number };
      });
    },
    async archives(sessionId) {
      const rows: { compressed_at: number; messages: string }[] =
        await sql`SELECT compressed_at, messages FROM compressed_messages
          WHERE agent_id = ${agentId} AND session_id = ${sessionId} ORDER BY id`;
      return rows.map((row) => ({
        compressedAt: row.compressed_at,
        messages: JSON.parse(row.messages) as StoredMessage[],
      }));
    },
    async enqueue(sessionId, content, limit) {
      return await sql.begin(async (tx): Promise<EnqueueOutcome> => {
        // The session row's lock queues the enqueues (and appends) of the session one behind the other, and
        // each statement after it reads what the ones before committed: the count cannot miss a row.
        await requireActive(tx, agentId, sessionId);
        const at = now();
        const [row] = await tx`INSERT INTO messages (agent_id, session_id, role, content, status, created_at)
          SELECT ${agentId}, ${sessionId}, 'user', ${content}, 'queued', ${at}::double precision
          WHERE (SELECT count(*) FROM messages
            WHERE agent_id = ${agentId} AND session_id = ${sessionId} AND status = 'queued') < ${limit}::integer
          RETURNING id`;
        if (!row) return { full: await countQueued(tx, sessionId) };
        await tx`UPDATE sessions SET updated_at = ${at} WHERE agent_id = ${agentId} AND id = ${sessionId}`;
        return { stored: { id: toNumber(row.id), content } };
      });
    },
    async queued(sessionId) {
      const rows: { id: string; content: string }[] = await sql`SELECT id, content FROM messages
        WHERE agent_id = ${agentId} AND session_id = ${sessionId} AND status = 'queued' ORDER BY id`;
      return rows.map((row) => ({ id: toNumber(row.id), content: row.content }));
    },
    removeQueued: (sessionId, id) => removeQueued(sql, sessionId, id),
    async sessionsWithQueued() {
      const rows: { session_id: string }[] = await sql`SELECT m.session_id FROM messages m
        JOIN sessions s ON s.agent_id = m.agent_id AND s.id = m.session_id
        WHERE m.agent_id = ${agentId} AND m.status = 'queued' AND s.archived_at IS NULL
        GROUP BY m.session_id ORDER BY min(m.id)`;
      return rows.map((row) => row.session_id);
    },
    async any() {
      const [row] = await sql`SELECT EXISTS (SELECT 1 FROM messages WHERE agent_id = ${agentId}) AS any`;
      return row.any === true;
    },
  };
}
