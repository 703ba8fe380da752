// /api/sessions: list, create, rename, archive, restore, delete, history.
import { Elysia, t } from 'elysia';
import type { AgentRegistry } from '../../agents/agent-registry';
import type { SessionMeta, SessionRecord, StoredMessage } from '../../sessions/session-types';
import { validationError } from '../../shared/app-error';
import { AgentIdQuery, errors, ok, QueryBoolean, queryFlag, SessionParams } from '../schemas';

const SessionRow = t.Object({
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

const toRow = (meta: SessionMeta) => ({
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

/** Stored messages plus, while a run is live, its partial reply marked `streaming: true`. */
export function historyMessages(record: SessionRecord, messages: StoredMessage[]) {
  const rows: MessageWire[] = messages.map(toMessageRow);
  const live = record.liveResponse;
  if (live && (live.content.trim() || live.toolCalls.length > 0)) {
    rows.push({
      role: 'assistant',
      content: live.content.trim(),
      streaming: true,
      ...(live.toolCalls.length > 0 ? { tool_calls: live.toolCalls } : {}),
      ...(live.runId ? { run_id: live.runId } : {}),
    });
  }
  return rows;
}

const Title = t.String({ minLength: 1, maxLength: 100 });

function cleanTitle(title: string): string {
  const trimmed = title.trim();
  if (!trimmed) {
    throw validationError('title', 'Title must not be blank', 'string_too_short');
  }
  return trimmed;
}

export function sessionRoutes(agents: AgentRegistry) {
  return new Elysia({ prefix: '/api/sessions', detail: { tags: ['sessions'] } })
    .get(
      '',
      ({ query }) => ({
        data: agents
          .get(query.agent_id)
          .sessions.list(query.scope ?? 'active', { includeInternal: query.include_internal === undefined || queryFlag(query.include_internal) })
          .map(toRow),
      }),
      {
        query: t.Object({
          scope: t.Optional(t.Union([t.Literal('active'), t.Literal('archived'), t.Literal('all')])),
          agent_id: AgentIdQuery,
          /** Cron and heartbeat sessions are listed (as in the contract) unless `include_internal=false`. */
          include_internal: QueryBoolean,
        }),
        response: { 200: ok(t.Array(SessionRow)), ...errors(400, 401, 404, 422, 500) },
        detail: { summary: 'List sessions, newest first' },
      },
    )
    .post(
      '',
      ({ query, body }) => {
        const title = body?.title;
        const meta = agents.get(query.agent_id).sessions.create(typeof title === 'string' && title.trim() ? title : undefined);
        return { data: { session_id: meta.sessionId, title: meta.title } };
      },
      {
        query: t.Object({ agent_id: AgentIdQuery }),
        body: t.Optional(t.Nullable(t.Object({ title: t.Optional(t.Nullable(t.String({ maxLength: 100 }))) }))),
        response: { 200: ok(t.Object({ session_id: t.String(), title: t.String() })), ...errors(400, 401, 404, 422, 500) },
        detail: { summary: 'Create a session (title defaults to "New Session")' },
      },
    )
    .put(
      '/:session_id',
      ({ params, query, body }) => {
        const meta = agents.get(query.agent_id).sessions.rename(params.session_id, cleanTitle(body.title));
        return { data: { session_id: meta.sessionId, title: meta.title } };
      },
      {
        params: SessionParams,
        query: t.Object({ agent_id: AgentIdQuery }),
        body: t.Object({ title: Title }),
        response: { 200: ok(t.Object({ session_id: t.String(), title: t.String() })), ...errors(400, 401, 404, 422, 500) },
        detail: { summary: 'Rename an active session' },
      },
    )
    .delete(
      '/:session_id',
      ({ params, query }) => {
        const archived = queryFlag(query.archived);
        agents.get(query.agent_id).sessions.delete(params.session_id, archived);
        return { data: { deleted: true, session_id: params.session_id, archived } };
      },
      {
        params: SessionParams,
        query: t.Object({ archived: QueryBoolean, agent_id: AgentIdQuery }),
        response: {
          200: ok(t.Object({ deleted: t.Boolean(), session_id: t.String(), archived: t.Boolean() })),
          ...errors(400, 401, 404, 422, 500),
        },
        detail: { summary: 'Delete a session (archived=true for an archived one)' },
      },
    )
    .post(
      '/:session_id/archive',
      ({ params, query }) => {
        agents.get(query.agent_id).sessions.archive(params.session_id);
        return { data: { archived: true, session_id: params.session_id } };
      },
      {
        params: SessionParams,
        query: t.Object({ agent_id: AgentIdQuery }),
        response: { 200: ok(t.Object({ archived: t.Boolean(), session_id: t.String() })), ...errors(400, 401, 404, 422, 500) },
        detail: { summary: 'Archive an active session' },
      },
    )
    .post(
      '/:session_id/restore',
      ({ params, query }) => {
        agents.get(query.agent_id).sessions.restore(params.session_id);
        return { data: { restored: true, session_id: params.session_id } };
      },
      {
        params: SessionParams,
        query: t.Object({ agent_id: AgentIdQuery }),
        response: { 200: ok(t.Object({ restored: t.Boolean(), session_id: t.String() })), ...errors(400, 401, 404, 422, 500) },
        detail: { summary: 'Restore an archived session' },
      },
    )
    .get(
      '/:session_id/history',
      ({ params, query }) => {
        const agent = agents.get(query.agent_id);
        const archived = queryFlag(query.archived);
        const record = agent.sessions.get(params.session_id, archived);
        return {
          data: {
            session_id: record.sessionId,
            agent_id: agent.id,
            archived,
            messages: historyMessages(record, agent.sessions.messages(record.sessionId)),
            compressed_context: record.compressedContext,
          },
        };
      },
      {
        params: SessionParams,
        query: t.Object({ archived: QueryBoolean, agent_id: AgentIdQuery }),
        response: { 200: ok(HistoryBody), ...errors(400, 401, 404, 422, 500) },
        detail: { summary: 'Messages of a session, with the live partial reply while a run streams' },
      },
    );
}
