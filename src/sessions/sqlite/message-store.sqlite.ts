// SQLite adapter of MessageStore: the `messages` and `compressed_messages` tables of the agent database.
import type { Database } from 'bun:sqlite';
import { notFound } from '../../shared/app-error';
import { toEpochSeconds, type Clock } from '../../shared/clock';
import type { MessageStore } from '../session.port';
import type { EnqueueOutcome, NewMessage, StoredMessage } from '../session-types';
import { INSERT_MESSAGE_SQL, MESSAGE_COLUMNS, toMessage, type MessageRow } from './session-rows';

/** The stored messages of one session (`?`): queued ones wait for their own run, so a compression neither archives nor counts them. */
const STORED = "session_id = ? AND (status IS NULL OR status <> 'queued')";

export function createSqliteMessageStore(db: Database, clock: Clock): MessageStore {
  const now = () => toEpochSeconds(clock.nowMs());
  const selectMessages = db.query<MessageRow, [string]>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session_id = ? ORDER BY id`,
  );
  const insertMessage = db.query(INSERT_MESSAGE_SQL);
  const touch = db.query('UPDATE sessions SET updated_at = ? WHERE id = ?');
  const touchEndingLive = db.query('UPDATE sessions SET updated_at = ?, live_response = NULL WHERE id = ?');
  const isActive = db.query<{ one: number }, [string]>(
    'SELECT 1 AS one FROM sessions WHERE id = ? AND archived_at IS NULL',
  );
  const requireActive = (sessionId: string) => {
    if (!isActive.get(sessionId)) throw notFound('Session not found');
  };

  const append = db.transaction((sessionId: string, messages: readonly NewMessage[], endLive: boolean) => {
    requireActive(sessionId);
    const at = now();
    for (const message of messages) {
      const toolCalls = message.toolCalls && message.toolCalls.length > 0 ? JSON.stringify(message.toolCalls) : null;
      insertMessage.run(
        sessionId,
        message.role,
        message.content,
        toolCalls,
        message.runId ?? null,
        message.status ?? null,
        at,
      );
    }
    (endLive ? touchEndingLive : touch).run(at, sessionId);
  });

  /** Queued message `id` out of the session; false when it is no longer there. */
  const removeQueued = (sessionId: string, id: number) =>
    db.query("DELETE FROM messages WHERE session_id = ? AND id = ? AND status = 'queued'").run(sessionId, id).changes >
    0;

  const takeQueued = db.transaction((sessionId: string, id: number, messages: readonly NewMessage[]) => {
    requireActive(sessionId);
    if (!removeQueued(sessionId, id)) return false;
    append(sessionId, messages, false);
    return true;
  });

  const compress = db.transaction((sessionId: string, count: number, compressedContext: string) => {
    requireActive(sessionId);
    const rows = db
      .query<MessageRow & { id: number }, [string, number]>(
        `SELECT id, ${MESSAGE_COLUMNS} FROM messages WHERE ${STORED} ORDER BY id LIMIT ?`,
      )
      .all(sessionId, count);
    const ids = rows.map((row) => row.id);
    const archived = rows.map(toMessage);
    const at = now();
    db.query('INSERT INTO compressed_messages (session_id, compressed_at, messages) VALUES (?, ?, ?)').run(
      sessionId,
      at,
      JSON.stringify(archived),
    );
    if (ids.length > 0) db.query(`DELETE FROM messages WHERE id IN (${ids.map(() => '?').join(',')})`).run(...ids);
    db.query('UPDATE sessions SET compressed_context = ?, updated_at = ? WHERE id = ?').run(
      compressedContext,
      at,
      sessionId,
    );
    const remaining = db
      .query<{ n: number }, [string]>(`SELECT count(*) AS n FROM messages WHERE ${STORED}`)
      .get(sessionId)!.n;
    return { archived, remaining };
  });

  // One statement counts and inserts, in the one write transaction SQLite runs at a time: no enqueue slips past the
  // limit, from this process or another on the same file.
  const insertQueued = db.query<{ id: number }, [string, string, number, string, number]>(
    `INSERT INTO messages (session_id, role, content, status, created_at) SELECT ?, 'user', ?, 'queued', ?
     WHERE (SELECT count(*) FROM messages WHERE session_id = ? AND status = 'queued') < ? RETURNING id`,
  );
  const countQueued = db.query<{ n: number }, [string]>(
    "SELECT count(*) AS n FROM messages WHERE session_id = ? AND status = 'queued'",
  );
  const enqueue = db.transaction((sessionId: string, content: string, limit: number): EnqueueOutcome => {
    requireActive(sessionId);
    const at = now();
    const row = insertQueued.get(sessionId, content, at, sessionId, limit);
    if (!row) return { full: countQueued.get(sessionId)!.n };
    touch.run(at, sessionId);
    return { stored: { id: row.id, content } };
  });

  return {
    list: async (sessionId) => selectMessages.all(sessionId).map(toMessage),
    append: async (sessionId, messages, options) => append(sessionId, messages, options?.endLive === true),
    lastId: async (sessionId) =>
      (
        db.query('SELECT coalesce(max(id), 0) AS id FROM messages WHERE session_id = ?').get(sessionId) as {
          id: number;
        }
      ).id,
    async deleteAfter(sessionId, mark) {
      db.query("DELETE FROM messages WHERE session_id = ? AND id > ? AND (status IS NULL OR status <> 'queued')").run(
        sessionId,
        mark,
      );
    },
    compress: async (sessionId, count, compressedContext) => compress(sessionId, count, compressedContext),
    archives: async (sessionId) =>
      db
        .query<{ compressed_at: number; messages: string }, [string]>(
          'SELECT compressed_at, messages FROM compressed_messages WHERE session_id = ? ORDER BY id',
        )
        .all(sessionId)
        .map((row) => ({ compressedAt: row.compressed_at, messages: JSON.parse(row.messages) as StoredMessage[] })),
    any: async () => (db.query('SELECT EXISTS(SELECT 1 FROM messages) AS any').get() as { any: number }).any === 1,
    enqueue: async (sessionId, content, limit) => enqueue(sessionId, content, limit),
    queued: async (sessionId) =>
      db
        .query<{ id: number; content: string }, [string]>(
          "SELECT id, content FROM messages WHERE session_id = ? AND status = 'queued' ORDER BY id",
        )
        .all(sessionId),
    removeQueued: async (sessionId, id) => removeQueued(sessionId, id),
    takeQueued: async (sessionId, id, messages) => takeQueued(sessionId, id, messages),
    sessionsWithQueued: async () =>
      db
        .query<{ session_id: string }, []>(
          `SELECT m.session_id FROM messages m JOIN sessions s ON s.id = m.session_id
           WHERE m.status = 'queued' AND s.archived_at IS NULL GROUP BY m.session_id ORDER BY min(m.id)`,
        )
        .all()
        .map((row) => row.session_id),
  };
}
