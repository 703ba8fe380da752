// Wire shapes of /api/sessions: rows, messages (with the live partial reply), history bodies, and the mapping to them.
import { t } from 'elysia';
import type { SessionMeta, SessionRecord, StoredMessage } from '../../sessions';
import { validationError } from '../../shared/app-error';
import { AgentIdQuery, ok, QueryBoolean } from '../schemas';

export const SessionRow = t.Object({
  session_id: t.String(),
  title: t.String(),
  created_at: t.Number(),
  updated_at: t.Number(),
  archived: t.Boolean(),
});

const ToolCall = t.Object({ tool: t.String(), input: t.Any(), output: t.Optional(t.Any()) });

export const MessageRow = t.Object({
  role: t.String(),
  content: t.String(),
  tool_calls: t.Optional(t.Array(ToolCall)),
  run_id: t.Optional(t.String()),
  status: t.Optional(t.String()),
  created_at: t.Optional(t.Number()),
  streaming: t.Optional(t.Boolean()),
});

export const HistoryBody = t.Object({
  session_id: t.String(),
  agent_id: t.String(),
  archived: t.Boolean(),
  messages: t.Array(MessageRow),
  compressed_context: t.String(),
});

export const Title = t.String({ minLength: 1, maxLength: 100 });

export const toSessionRow = (meta: SessionMeta) => ({
  session_id: meta.sessionId,
  title: meta.title,
  created_at: meta.createdAt,
  updated_at: meta.updatedAt,
  archived: meta.archived,
});

export interface MessageWire {
  role: string;
  content: string;
  tool_calls?: StoredMessage['toolCalls'];
  run_id?: string;
  status?: string;
  created_at?: number;
  streaming?: boolean;
}

export function toMessageRow(message: StoredMessage): MessageWire {
  return {
    role: message.role,
    content: message.content,
    ...(message.toolCalls ? { tool_calls: message.toolCalls } : {}),
    ...(message.runId ? { run_id: message.runId } : {}),
    ...(message.status ? { status: message.status } : {}),
    created_at: message.createdAt,
  };
}

/**
 * Stored messages plus, while a run is live, its partial reply marked `streaming: true`; queued messages come last.
 * `record` is read before `messages`: when the run's reply was stored between the two reads (the same write clears
 * the snapshot), the messages hold the reply and the snapshot is shown no more, never both.
 */
export function historyMessages(record: SessionRecord, messages: StoredMessage[]): MessageWire[] {
  const rows: MessageWire[] = messages.filter((message) => message.status !== 'queued').map(toMessageRow);
  const queued = messages.filter((message) => message.status === 'queued').map(toMessageRow);
  const live = record.liveResponse;
  const stored = live !== null && messages.some((message) => message.runId === live.runId);
  if (live && !stored && (live.content.trim() || live.toolCalls.length > 0)) {
    rows.push({
      role: 'assistant',
      content: live.content.trim(),
      streaming: true,
      ...(live.toolCalls.length > 0 ? { tool_calls: live.toolCalls } : {}),
      ...(live.runId ? { run_id: live.runId } : {}),
    });
  }
  return [...rows, ...queued];
}

/** A title as the client sent it, trimmed; 422 naming `title` when blank. */
export function cleanTitle(title: string): string {
  const trimmed = title.trim();
  if (!trimmed) {
    throw validationError('title', 'Title must not be blank', 'string_too_short');
  }
  return trimmed;
}

export const ListQuery = t.Object({
  scope: t.Optional(t.Union([t.Literal('active'), t.Literal('archived'), t.Literal('all')])),
  agent_id: AgentIdQuery,
  /** Cron and heartbeat sessions are listed (as in the contract) unless `include_internal=false`. */
  include_internal: QueryBoolean,
});
export const SessionList = ok(t.Array(SessionRow));
export const NewSessionBody = t.Optional(
  t.Nullable(t.Object({ title: t.Optional(t.Nullable(t.String({ maxLength: 100 }))) })),
);
export const TitleBody = t.Object({ title: Title });
export const SessionTitle = ok(t.Object({ session_id: t.String(), title: t.String() }));
export const Deleted = ok(t.Object({ deleted: t.Boolean(), session_id: t.String(), archived: t.Boolean() }));
export const Archived = ok(t.Object({ archived: t.Boolean(), session_id: t.String() }));
export const Restored = ok(t.Object({ restored: t.Boolean(), session_id: t.String() }));
export const History = ok(HistoryBody);
export const MessagesWithPrompt = ok(
  t.Object({
    session_id: t.String(),
    agent_id: t.String(),
    archived: t.Boolean(),
    system_prompt: t.String(),
    messages: t.Array(MessageRow),
    compressed_context: t.String(),
  }),
);
export const Compression = ok(
  t.Object({
    session_id: t.String(),
    agent_id: t.String(),
    archived_count: t.Integer(),
    remaining_count: t.Integer(),
    summary: t.String(),
  }),
);
export const SessionTokens = ok(
  t.Object({
    session_id: t.String(),
    agent_id: t.String(),
    system_tokens: t.Integer(),
    message_tokens: t.Integer(),
    total_tokens: t.Integer(),
  }),
);
