// SQLite adapter of SessionStore: the `sessions` table of the agent database; every change is one statement or transaction.
import type { Database } from 'bun:sqlite';
import { toEpochSeconds, type Clock } from '../../shared/clock';
import type { SessionStore } from '../session.port';
import type { LiveResponse, SessionRecord, SessionScope } from '../session-types';
import { INSERT_MESSAGE_SQL, toMeta, type SessionRow } from './session-rows';

// Only the list's columns: a compressed summary or a live snapshot can be large, and lists never show them.
const LIST_COLUMNS = 'id, title, created_at, updated_at, archived_at';
const USER_ONLY = "AND id NOT LIKE '\\_\\_%' ESCAPE '\\'";

/** A list's query; each reads an index backwards (agent schema version 12), sorting nothing. */
export function listQuery(scope: SessionScope, includeInternal: boolean): string {
  const internal = includeInternal ? '' : USER_ONLY;
  if (scope === 'active')
    return `SELECT ${LIST_COLUMNS} FROM sessions WHERE archived_at IS NULL ${internal} ORDER BY updated_at DESC, rowid DESC`;
  if (scope === 'archived')
    return `SELECT ${LIST_COLUMNS} FROM sessions WHERE archived_at IS NOT NULL ${internal} ORDER BY updated_at DESC, rowid DESC`;
  return `SELECT ${LIST_COLUMNS} FROM sessions WHERE 1 ${internal} ORDER BY updated_at DESC, (archived_at IS NULL) DESC, rowid DESC`;
}

/**
 * Keeps each live snapshot left by a stopped run (with content) as an `interrupted` reply and clears
 * it, in one transaction; returns how many snapshots there were. Also run synchronously when an agent
 * database opens (see storage/sqlite), before any request can see the session.
 */
export function recoverInterruptedSessions(db: Database, clock: Clock, sessionIds?: readonly string[]): number {
  const only = sessionIds ? new Set(sessionIds) : null;
  const stale = db
    .query<SessionRow, []>('SELECT * FROM sessions WHERE live_response IS NOT NULL')
    .all()
    .filter((row) => !only || only.has(row.id));
  const insertMessage = db.query(INSERT_MESSAGE_SQL);
  db.transaction(() => {
    for (const row of stale) {
      const live = JSON.parse(row.live_response!) as LiveResponse;
      if (live.content || live.toolCalls.length > 0) {
        const toolCalls = live.toolCalls.length > 0 ? JSON.stringify(live.toolCalls) : null;
        insertMessage.run(
          row.id,
          'assistant',
          live.content,
          toolCalls,
          live.runId,
          'interrupted',
          toEpochSeconds(clock.nowMs()),
        );
      }
      db.query('UPDATE sessions SET live_response = NULL WHERE id = ?').run(row.id);
    }
  })();
  return stale.length;
}

// Tells stores apart in a list stamp: a database opened again (an agent deleted and made anew) counts from zero.
let storesOpened = 0;

export function createSqliteSessionStore(db: Database, clock: Clock): SessionStore {
  const now = () => toEpochSeconds(clock.nowMs());
  const selectSession = db.query<SessionRow, [string]>('SELECT * FROM sessions WHERE id = ?');
  const store = ++storesOpened;
  // Rows this connection changed (triggers included) and a count other connections' commits move.
  const changes = db.query<{ changes: number }, []>('SELECT total_changes() AS changes');
  const dataVersion = db.query<{ data_version: number }, []>('PRAGMA data_version');

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

  return {
    list: async (scope, options) =>
      db
        .query<Pick<SessionRow, 'id' | 'title' | 'created_at' | 'updated_at' | 'archived_at'>, []>(
          listQuery(scope, options?.includeInternal ?? false),
        )
        .all()
        .map(toMeta),
    // Inside a transaction a list would see writes that may yet be rolled back, which no count would undo.
    listStamp: async () =>
      db.inTransaction ? null : `${store}:${changes.get()!.changes}:${dataVersion.get()!.data_version}`,
    async create(sessionId, title) {
      const at = now();
      db.query('INSERT INTO sessions (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)').run(
        sessionId,
        title,
        at,
        at,
      );
      return { sessionId, title, createdAt: at, updatedAt: at, archived: false };
    },
    find: async (sessionId) => find(sessionId),
    async rename(sessionId, title) {
      db.query('UPDATE sessions SET title = ?, updated_at = ? WHERE id = ?').run(title, now(), sessionId);
      const row = selectSession.get(sessionId);
      return row ? toMeta(row) : null;
    },
    async archive(sessionId) {
      db.query('UPDATE sessions SET archived_at = ? WHERE id = ?').run(now(), sessionId);
    },
    async restore(sessionId) {
      db.query('UPDATE sessions SET archived_at = NULL WHERE id = ?').run(sessionId);
    },
    async delete(sessionId) {
      db.transaction(() => {
        db.query('DELETE FROM sessions WHERE id = ?').run(sessionId);
        db.query('DELETE FROM compressed_messages WHERE session_id = ?').run(sessionId);
      })();
    },
    async setLiveResponse(sessionId, live) {
      db.query('UPDATE sessions SET live_response = ?, updated_at = ? WHERE id = ?').run(
        live ? JSON.stringify(live) : null,
        now(),
        sessionId,
      );
    },
    recoverInterrupted: async (sessionIds) => recoverInterruptedSessions(db, clock, sessionIds),
    liveSessionIds: async () =>
      db
        .query<{ id: string }, []>('SELECT id FROM sessions WHERE live_response IS NOT NULL ORDER BY rowid')
        .all()
        .map((row) => row.id),
    async counts() {
      const row = db
        .query<{ active: number | null; archived: number | null; at: number | null }, []>(
          'SELECT sum(archived_at IS NULL) AS active, sum(archived_at IS NOT NULL) AS archived, max(updated_at) AS at FROM sessions',
        )
        .get()!;
      return { active: row.active ?? 0, archived: row.archived ?? 0, lastUpdatedAt: row.at };
    },
  };
}
