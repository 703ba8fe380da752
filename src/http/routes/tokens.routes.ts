// /api/tokens: token counts of a session's prompt and messages, and of files.
import { Elysia } from 'elysia';
import type { FilesService } from '../../agents';
import type { SessionsService } from '../../sessions';
import { AgentQuery, errors, SessionParams } from '../schemas';
import { FileTokens, PathsBody } from './files.schema';
import { SessionTokens } from './sessions.schema';

export function tokenRoutes(sessions: Pick<SessionsService, 'tokens'>, files: Pick<FilesService, 'countTokens'>) {
  return new Elysia({ prefix: '/api/tokens', detail: { tags: ['tokens'] } })
    .get(
      '/session/:session_id',
      async ({ params, query }) => {
        const counts = await sessions.tokens(query.agent_id, params.session_id);
        return {
          data: {
            session_id: params.session_id,
            agent_id: counts.agentId,
            system_tokens: counts.systemTokens,
            message_tokens: counts.messageTokens,
            total_tokens: counts.totalTokens,
          },
        };
      },
      {
        params: SessionParams,
        query: AgentQuery,
        response: { 200: SessionTokens, ...errors(400, 401, 404, 422, 429, 500) },
        detail: { summary: 'Tokens of the system prompt and the stored messages (o200k_base)' },
      },
    )
    .post('/files', async ({ body, query }) => ({ data: await files.countTokens(query.agent_id, body.paths) }), {
      query: AgentQuery,
      body: PathsBody,
      response: { 200: FileTokens, ...errors(400, 401, 404, 422, 429, 500) },
      detail: { summary: 'Tokens of files (same areas as the files API)' },
    });
}
