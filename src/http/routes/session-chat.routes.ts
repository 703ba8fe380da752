// Session routes that involve the model or the prompt: messages with system prompt, generate-title, compress.
import { Elysia } from 'elysia';
import type { SessionsService } from '../../sessions';
import { AgentQuery, ArchivedQuery, errors, queryFlag, SessionParams } from '../schemas';
import { Compression, historyMessages, MessagesWithPrompt, SessionTitle } from './sessions.schema';

export function sessionChatRoutes(sessions: Pick<SessionsService, 'historyWithPrompt' | 'generateTitle' | 'compress'>) {
  return new Elysia({ prefix: '/api/sessions', detail: { tags: ['sessions'] } })
    .get(
      '/:session_id/messages',
      async ({ params, query }) => {
        const archived = queryFlag(query.archived);
        const { agentId, record, messages, systemPrompt } = await sessions.historyWithPrompt(
          query.agent_id,
          params.session_id,
          archived,
        );
        return {
          data: {
            session_id: record.sessionId,
            agent_id: agentId,
            archived,
            system_prompt: systemPrompt,
            messages: historyMessages(record, messages),
            compressed_context: record.compressedContext,
          },
        };
      },
      {
        params: SessionParams,
        query: ArchivedQuery,
        response: { 200: MessagesWithPrompt, ...errors(400, 401, 404, 422, 500) },
        detail: { summary: 'History plus the system prompt the next turn would use' },
      },
    )
    .post(
      '/:session_id/generate-title',
      async ({ params, query }) => ({
        data: { session_id: params.session_id, title: await sessions.generateTitle(query.agent_id, params.session_id) },
      }),
      {
        params: SessionParams,
        query: AgentQuery,
        response: { 200: SessionTitle, ...errors(400, 401, 404, 422, 500) },
        detail: { summary: 'Ask the model for a short title (falls back to the first words)' },
      },
    )
    .post(
      '/:session_id/compress',
      async ({ params, query }) => {
        const result = await sessions.compress(query.agent_id, params.session_id);
        return {
          data: {
            session_id: params.session_id,
            agent_id: result.agentId,
            archived_count: result.archivedCount,
            remaining_count: result.remainingCount,
            summary: result.summary,
          },
        };
      },
      {
        params: SessionParams,
        query: AgentQuery,
        response: { 200: Compression, ...errors(400, 401, 404, 409, 422, 500) },
        detail: { summary: 'Summarise older messages into compressed_context; the originals are archived' },
      },
    );
}
