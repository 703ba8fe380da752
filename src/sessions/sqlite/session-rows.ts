// Rows of the sessions and messages tables and their camelCase shapes (shared by the two SQLite adapters).
import { isMessageStatus, type SessionMeta, type StoredMessage } from '../session-types';

export interface SessionRow {
  id: string;
  title: string;
  created_at: number;
  updated_at: number;
  archived_at: number | null;
  compressed_context: string;
  live_response: string | null;
}

export interface MessageRow {
  role: string;
  content: string;
  tool_calls: string | null;
  run_id: string | null;
  status: string | null;
  created_at: number;
}

export const MESSAGE_COLUMNS = 'role, content, tool_calls, run_id, status, created_at';
export const INSERT_MESSAGE_SQL =
  'INSERT INTO messages (session_id, role, content, tool_calls, run_id, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)';

export const toMeta = (
  row: Pick<SessionRow, 'id' | 'title' | 'created_at' | 'updated_at' | 'archived_at'>,
): SessionMeta => ({
  sessionId: row.id,
  title: row.title,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  archived: row.archived_at !== null,
});

export const toMessage = (row: MessageRow): StoredMessage => {
  const message: StoredMessage = {
    role: row.role as StoredMessage['role'],
    content: row.content,
    createdAt: row.created_at,
  };
  if (row.tool_calls) message.toolCalls = JSON.parse(row.tool_calls);
  if (row.run_id) message.runId = row.run_id;
  if (isMessageStatus(row.status)) message.status = row.status;
  return message;
};
