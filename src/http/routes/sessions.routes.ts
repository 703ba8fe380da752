// /api/sessions: list, create, rename, archive, restore, delete, history.
import { Elysia } from 'elysia';
import type { SessionsService } from '../../sessions';
import { AgentQuery, ArchivedQuery, errors, queryFlag, SessionParams } from '../schemas';
import { stampedBodies } from '../stamped-bodies';
import {
  Archived,
  cleanTitle,
  Deleted,
  History,
  historyMessages,
  ListQuery,
  NewSessionBody,
  Restored,
  SessionList,
  SessionTitle,
  TitleBody,
  toSessionRow,
} from './sessions.schema';

export function sessionRoutes(
  sessions: Pick<
    SessionsService,
    'list' | 'listStamp' | 'create' | 'rename' | 'delete' | 'archive' | 'restore' | 'history'
  >,
) {
  // Clients read the list after every change they make and poll it; most reads find it as it was.
  const lists = stampedBodies();
  return new Elysia({ prefix: '/api/sessions', detail: { tags: ['sessions'] } })
    .get(
      '',
      async ({ query }) => {
        const includeInternal = query.include_internal === undefined || queryFlag(query.include_internal);
        const scope = query.scope ?? 'active';
        // Keyed by the agent as resolved: a client's spellings of its id (` default`) share one entry.
        const { agentId, stamp } = await sessions.listStamp(query.agent_id);
        return lists.respond(`${agentId}\n${scope}\n${includeInternal}`, stamp, async () => ({
          data: (await sessions.list(query.agent_id, scope, { includeInternal })).map(toSessionRow),
        }));
      },
      {
        query: ListQuery,
        response: { 200: SessionList, ...errors(400, 401, 404, 422, 500) },
        detail: { summary: 'List sessions, newest first' },
      },
    )
    .post(
      '',
      async ({ query, body }) => {
        const title = body?.title;
        const meta = await sessions.create(
          query.agent_id,
          typeof title === 'string' && title.trim() ? title : undefined,
        );
        return { data: { session_id: meta.sessionId, title: meta.title } };
      },
      {
        query: AgentQuery,
        body: NewSessionBody,
        response: { 200: SessionTitle, ...errors(400, 401, 404, 422, 500) },
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
        query: AgentQuery,
        body: TitleBody,
        response: { 200: SessionTitle, ...errors(400, 401, 404, 422, 500) },
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
        query: ArchivedQuery,
        response: { 200: Deleted, ...errors(400, 401, 404, 409, 422, 500) },
        detail: {
          summary: 'Delete a session (archived=true for an archived one)',
          description:
            'A live or waiting run of the session is cancelled first (as POST /api/runs/{run_id}/cancel), then the session is deleted; its queued messages go with it. 409 `session_busy` when its run is live on another replica.',
        },
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
        query: AgentQuery,
        response: { 200: Archived, ...errors(400, 401, 404, 409, 422, 500) },
        detail: {
          summary: 'Archive an active session',
          description:
            '409 `session_busy` while a run of the session is live or waiting for an approval, or messages are queued to run: cancel the run or decide its approvals first.',
        },
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
        query: AgentQuery,
        response: { 200: Restored, ...errors(400, 401, 404, 422, 500) },
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
        query: ArchivedQuery,
        response: { 200: History, ...errors(400, 401, 404, 422, 500) },
        detail: { summary: 'Messages of a session, with the live partial reply while a run streams' },
      },
    );
}
