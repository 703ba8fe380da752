// /api/tokens: token counts of a session's prompt and messages, and of files.
import { Elysia, t } from 'elysia';
import type { FilesService } from '../../agents';
import type { SessionsService } from '../../sessions';
import { AgentIdQuery, errors, ok, SessionParams } from '../schemas';

const SessionTokens = ok(t.Object({ session_id: t.String(), agent_id: t.String(), system_tokens: t.Integer(), message_tokens: t.Integer(), total_tokens: t.Integer() }));
const FileTokens = ok(t.Array(t.Object({ path: t.String(), tokens: t.Integer(), error: t.Optional(t.String()) })));

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
        query: t.Object({ agent_id: AgentIdQuery }),
        response: { 200: SessionTokens, ...errors(400, 401, 404, 422, 429, 500) },
        detail: { summary: 'Tokens of the system prompt and the stored messages (o200k_base)' },
      },
    )
    .post('/files', ({ body, query }) => ({ data: files.countTokens(query.agent_id, body.paths) }), {
      query: t.Object({ agent_id: AgentIdQuery }),
      body: t.Object({ paths: t.Array(t.String({ maxLength: 1024 }), { maxItems: 200 }) }),
      response: { 200: FileTokens, ...errors(400, 401, 404, 422, 429, 500) },
      detail: { summary: 'Tokens of files (same areas as the files API)' },
    });
}
