// Session routes that involve the model or the prompt: messages with system prompt, generate-title, compress.
import { Elysia, t } from 'elysia';
import type { AgentRegistry } from '../../agents/agent-registry';
import { withLease } from '../../agents/with-lease';
import type { ChatService } from '../../chat/chat-service';
import type { PromptBuilder } from '../../chat/prompt-builder';
import { compressSession, titleSession } from '../../chat/session-actions';
import type { LlmSettings } from '../../config/env';
import type { Clock } from '../../shared/clock';
import { AgentIdQuery, errors, ok, QueryBoolean, queryFlag, SessionParams } from '../schemas';
import { historyMessages, MessageRow } from './sessions.routes';

const AgentQuery = t.Object({ agent_id: AgentIdQuery });

export function sessionChatRoutes(agents: AgentRegistry, prompts: PromptBuilder, chat: ChatService, llmSettings: LlmSettings, clock: Clock) {
  return new Elysia({ prefix: '/api/sessions', detail: { tags: ['sessions'] } })
    .get(
      '/:session_id/messages',
      ({ params, query }) => {
        const agent = agents.get(query.agent_id);
        const archived = queryFlag(query.archived);
        const record = agent.sessions.get(params.session_id, archived);
        const messages = agent.sessions.messages(record.sessionId);
        const systemPrompt = prompts.build(agent.root, agent.config(), { isFirstTurn: messages.length === 0, isFirstConversation: false });
        return {
          data: {
            session_id: record.sessionId,
            agent_id: agent.id,
            archived,
            system_prompt: systemPrompt,
            messages: historyMessages(record, messages),
            compressed_context: record.compressedContext,
          },
        };
      },
      {
        params: SessionParams,
        query: t.Object({ archived: QueryBoolean, agent_id: AgentIdQuery }),
        response: {
          200: ok(
            t.Object({
              session_id: t.String(),
              agent_id: t.String(),
              archived: t.Boolean(),
              system_prompt: t.String(),
              messages: t.Array(MessageRow),
              compressed_context: t.String(),
            }),
          ),
          ...errors(400, 401, 404, 422, 500),
        },
        detail: { summary: 'History plus the system prompt the next turn would use' },
      },
    )
    .post(
      '/:session_id/generate-title',
      async ({ params, query }) => {
        const title = await withLease(agents.get(query.agent_id), (agent) => titleSession(agent, params.session_id, llmSettings, clock));
        return { data: { session_id: params.session_id, title } };
      },
      {
        params: SessionParams,
        query: AgentQuery,
        response: { 200: ok(t.Object({ session_id: t.String(), title: t.String() })), ...errors(400, 401, 404, 422, 500) },
        detail: { summary: 'Ask the model for a short title (falls back to the first words)' },
      },
    )
    .post(
      '/:session_id/compress',
      async ({ params, query }) => {
        const agent = agents.get(query.agent_id);
        const result = await withLease(agent, (leased) => compressSession(leased, params.session_id, llmSettings, chat.isBusy(agent.id, params.session_id), clock));
        return {
          data: {
            session_id: params.session_id,
            agent_id: agent.id,
            archived_count: result.archivedCount,
            remaining_count: result.remainingCount,
            summary: result.summary,
          },
        };
      },
      {
        params: SessionParams,
        query: AgentQuery,
        response: {
          200: ok(t.Object({ session_id: t.String(), agent_id: t.String(), archived_count: t.Integer(), remaining_count: t.Integer(), summary: t.String() })),
          ...errors(400, 401, 404, 409, 422, 500),
        },
        detail: { summary: 'Summarise older messages into compressed_context; the originals are archived' },
      },
    );
}
