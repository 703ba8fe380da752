// SQL access for sessions and their messages in the agent database; every change is one transaction.
import type { Database } from 'bun:sqlite';
import { notFound } from '../shared/app-error';
import { toEpochSeconds, type Clock } from '../shared/clock';
import { newId } from '../shared/ids';
import {
  DEFAULT_SESSION_TITLE,
  type LiveResponse,
  type SessionMeta,
  type SessionRecord,
  type SessionScope,
  type StoredMessage,
} from './session-types';

export interface NewMessage {
  role: 'user' | 'assistant';
  content: string;
  toolCalls?: StoredMessage['toolCalls'];
  runId?: string;
  status?: 'failed' | 'interrupted';
}

export interface SessionStore {
  /** Newest first. Internal sessions (ids starting `__`: cron jobs, the heartbeat) only with `includeInternal`. */
  list(scope: SessionScope, options?: { includeInternal?: boolean }): SessionMeta[];
  create(title?: string, id?: string): SessionMeta;
  /** The session, or null when the id is unknown. */
  find(sessionId: string): SessionRecord | null;
  /** The session, or 404 `not_found`. `archived` selects which side must hold it. */
  get(sessionId: string, archived?: boolean): SessionRecord;
  rename(sessionId: string, title: string): SessionMeta;
  archive(sessionId: string): void;
  restore(sessionId: string): void;
  delete(sessionId: string, archived: boolean): void;
  messages(sessionId: string): StoredMessage[];
  countMessages(sessionId: string): number;
  appendMessages(sessionId: string, messages: readonly NewMessage[]): void;
  setLiveResponse(sessionId: string, live: LiveResponse | null): void;
  /** After an unclean stop: keeps each run's last live snapshot as an `interrupted` reply. Returns how many. */
  recoverInterrupted(): number;
  /** Id of the session's newest message (0 when empty); a mark for `deleteMessagesAfter`. */
  lastMessageId(sessionId: string): number;
  /** Removes the session's messages newer than `messageId` (a turn that is not to be kept). */
  deleteMessagesAfter(sessionId: string, messageId: number): void;
  /** Moves the first `count` messages to the compression archive and stores the new summary. */
  compress(sessionId: string, count: number, compressedContext: string): { archived: StoredMessage[]; remaining: number };
  /** Earlier compressions of a session, oldest first. */
  compressedArchives(sessionId: string): { compressedAt: number; messages: StoredMessage[] }[];
}

interface SessionRow {
  id: string;
  title: string;
  created_at: number;
  updated_at: number;
  archived_at: number | null;
  compressed_context: string;
  live_response: string | null;
}

interface MessageRow {
  role: string;
  content: string;
  tool_calls: string | null;
  run_id: string | null;
  status: string | null;
  created_at: number;
}

const toMeta = (row: Pick<SessionRow, 'id' | 'title' | 'created_at' | 'updated_at' | 'archived_at'>): SessionMeta => ({
  sessionId: row.id,
  title: row.title,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  archived: row.archived_at !== null,
});

const toMessage = (row: MessageRow): StoredMessage => {
  const message: StoredMessage = { role: row.role as StoredMessage['role'], content: row.content, createdAt: row.created_at };
  if (row.tool_calls) message.toolCalls = JSON.parse(row.tool_calls);
  if (row.run_id) message.runId = row.run_id;
  if (row.status === 'failed' || row.status === 'interrupted') message.status = row.status;
  return message;
};

export function createSqliteSessionStore(db: Database, clock: Clock): SessionStore {
  const now = () => toEpochSeconds(clock.nowMs());
  const selectSession = db.query<SessionRow, [string]>('SELECT * FROM sessions WHERE id = ?');
  const selectMessages = db.query<MessageRow, [string]>(
    'SELECT role, content, tool_calls, run_id, status, created_at FROM messages WHERE session_id = ? ORDER BY id',
  );
  const insertMessage = db.query(
    'INSERT INTO messages (session_id, role, content, tool_calls, run_id, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const touch = db.query('UPDATE sessions SET updated_at = ? WHERE id = ?');
  // Only the list's columns: a compressed summary or a live snapshot can be large, and lists never show them.
  const LIST_COLUMNS = 'id, title, created_at, updated_at, archived_at';
  const USER_ONLY = "AND id NOT LIKE '\\_\\_%' ESCAPE '\\'";
  const listQuery = (scope: SessionScope, includeInternal: boolean) => {
    const internal = includeInternal ? '' : USER_ONLY;
    if (scope === 'active') return `SELECT ${LIST_COLUMNS} FROM sessions WHERE archived_at IS NULL ${internal} ORDER BY updated_at DESC, rowid DESC`;
    if (scope === 'archived') return `SELECT ${LIST_COLUMNS} FROM sessions WHERE archived_at IS NOT NULL ${internal} ORDER BY updated_at DESC, rowid DESC`;
    return `SELECT ${LIST_COLUMNS} FROM sessions WHERE 1 ${internal} ORDER BY updated_at DESC, (archived_at IS NOT NULL), rowid DESC`;
  };

  const find = (sessionId: string): SessionRecord | null => {
    const row = selectSession.get(sessionId);
    if (!row) return null;
    return {
      ...toMeta(row),
      archivedAt: row.archived_at,
      compressedContext: row.compressed_context,
      liveResponse: row.live_response ? (JSON.parse(row.live_response) as LiveResponse) : null,
    };
  };

  const get = (sessionId: string, archived = false): SessionRecord => {
    const record = find(sessionId);
    if (!record || record.archived !== archived) {
      throw notFound(archived ? `Archived session not found: ${sessionId}` : 'Session not found');
    }
    return record;
  };

  const appendMessages = db.transaction((sessionId: string, messages: readonly NewMessage[]) => {
    get(sessionId);
    const at = now();
    for (const message of messages) {
      insertMessage.run(
        sessionId,
        message.role,
        message.content,
        message.toolCalls && message.toolCalls.length > 0 ? JSON.stringify(message.toolCalls) : null,
        message.runId ?? null,
        message.status ?? null,
        at,
      );
    }
    touch.run(at, sessionId);
  });

  const compress = db.transaction((sessionId: string, count: number, compressedContext: string) => {
    get(sessionId);
    const ids = db
      .query<{ id: number }, [string, number]>('SELECT id FROM messages WHERE session_id = ? ORDER BY id LIMIT ?')
      .all(sessionId, count)
      .map((row) => row.id);
    const archived = selectMessages.all(sessionId).slice(0, ids.length).map(toMessage);
    const at = now();
    db.query('INSERT INTO compressed_messages (session_id, compressed_at, messages) VALUES (?, ?, ?)').run(
      sessionId,
      at,
      JSON.stringify(archived),
    );
    if (ids.length > 0) db.query(`DELETE FROM messages WHERE id IN (${ids.map(() => '?').join(',')})`).run(...ids);
    db.query('UPDATE sessions SET compressed_context = ?, updated_at = ? WHERE id = ?').run(compressedContext, at, sessionId);
    const remaining = (db.query('SELECT count(*) AS n FROM messages WHERE session_id = ?').get(sessionId) as { n: number }).n;
    return { archived, remaining };
  });

  return {
    list: (scope, options) =>
      db.query<Pick<SessionRow, 'id' | 'title' | 'created_at' | 'updated_at' | 'archived_at'>, []>(listQuery(scope, options?.includeInternal ?? false)).all().map(toMeta),
    create(title, id) {
      const at = now();
      const sessionId = id ?? newId();
      const stored = title === undefined ? DEFAULT_SESSION_TITLE : title.trim();
      db.query('INSERT INTO sessions (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)').run(sessionId, stored, at, at);
      return { sessionId, title: stored, createdAt: at, updatedAt: at, archived: false };
    },
    find,
    get,
    rename(sessionId, title) {
      get(sessionId);
      db.query('UPDATE sessions SET title = ?, updated_at = ? WHERE id = ?').run(title, now(), sessionId);
      return toMeta(selectSession.get(sessionId)!);
    },
    archive(sessionId) {
      get(sessionId);
      db.query('UPDATE sessions SET archived_at = ? WHERE id = ?').run(now(), sessionId);
    },
    restore(sessionId) {
      get(sessionId, true);
      db.query('UPDATE sessions SET archived_at = NULL WHERE id = ?').run(sessionId);
    },
    delete(sessionId, archived) {
      get(sessionId, archived);
      db.transaction(() => {
        db.query('DELETE FROM sessions WHERE id = ?').run(sessionId);
        db.query('DELETE FROM compressed_messages WHERE session_id = ?').run(sessionId);
      })();
    },
    messages: (sessionId) => selectMessages.all(sessionId).map(toMessage),
    countMessages: (sessionId) =>
      (db.query('SELECT count(*) AS n FROM messages WHERE session_id = ?').get(sessionId) as { n: number }).n,
    appendMessages: (sessionId, messages) => appendMessages(sessionId, messages),
    setLiveResponse(sessionId, live) {
      db.query('UPDATE sessions SET live_response = ?, updated_at = ? WHERE id = ?').run(
        live ? JSON.stringify(live) : null,
        now(),
        sessionId,
      );
    },
    recoverInterrupted() {
      const stale = db.query<SessionRow, []>('SELECT * FROM sessions WHERE live_response IS NOT NULL').all();
      db.transaction(() => {
        for (const row of stale) {
          const live = JSON.parse(row.live_response!) as LiveResponse;
          if (live.content || live.toolCalls.length > 0) {
            const toolCalls = live.toolCalls.length > 0 ? JSON.stringify(live.toolCalls) : null;
            insertMessage.run(row.id, 'assistant', live.content, toolCalls, live.runId, 'interrupted', now());
          }
          db.query('UPDATE sessions SET live_response = NULL WHERE id = ?').run(row.id);
        }
      })();
      return stale.length;
    },
    lastMessageId: (sessionId) =>
      (db.query('SELECT coalesce(max(id), 0) AS id FROM messages WHERE session_id = ?').get(sessionId) as { id: number }).id,
    deleteMessagesAfter(sessionId, messageId) {
      db.query('DELETE FROM messages WHERE session_id = ? AND id > ?').run(sessionId, messageId);
    },
    compress: (sessionId, count, compressedContext) => compress(sessionId, count, compressedContext),
    compressedArchives: (sessionId) =>
      db
        .query<{ compressed_at: number; messages: string }, [string]>(
          'SELECT compressed_at, messages FROM compressed_messages WHERE session_id = ? ORDER BY id',
        )
        .all(sessionId)
        .map((row) => ({ compressedAt: row.compressed_at, messages: JSON.parse(row.messages) as StoredMessage[] })),
  };
}
