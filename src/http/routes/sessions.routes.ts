// /api/sessions: list, create, rename, archive, restore, delete, history.
import { Elysia, t } from 'elysia';
import type { SessionsService } from '../../sessions';
import { AgentIdQuery, errors, ok, QueryBoolean, queryFlag, SessionParams } from '../schemas';
import { cleanTitle, HistoryBody, historyMessages, SessionRow, Title, toSessionRow } from './sessions.schema';


export function sessionRoutes(sessions: Pick<SessionsService, 'list' | 'create' | 'rename' | 'delete' | 'archive' | 'restore' | 'history'>) {
  return new Elysia({ prefix: '/api/sessions', detail: { tags: ['sessions'] } })
    .get(
      '',
      async ({ query }) => {
        const includeInternal = query.include_internal === undefined || queryFlag(query.include_internal);
        return { data: (await sessions.list(query.agent_id, query.scope ?? 'active', { includeInternal })).map(toSessionRow) };
      },
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
      async ({ query, body }) => {
        const title = body?.title;
        const meta = await sessions.create(query.agent_id, typeof title === 'string' && title.trim() ? title : undefined);
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
      async ({ params, query, body }) => {
        const meta = await sessions.rename(query.agent_id, params.session_id, cleanTitle(body.title));
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
      async ({ params, query }) => {
        const archived = queryFlag(query.archived);
        await sessions.delete(query.agent_id, params.session_id, archived);
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
      async ({ params, query }) => {
        await sessions.archive(query.agent_id, params.session_id);
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
      async ({ params, query }) => {
        await sessions.restore(query.agent_id, params.session_id);
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
      async ({ params, query }) => {
        const archived = queryFlag(query.archived);
        const { agentId, record, messages } = await sessions.history(query.agent_id, params.session_id, archived);
        return {
          data: {
            session_id: record.sessionId,
            agent_id: agentId,
            archived,
            messages: historyMessages(record, messages),
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
