// POST /api/chat: one agent turn, streamed as SSE or answered as one JSON object.
import { Elysia } from 'elysia';
import { turnEvents, type ChatService } from '../../chat';
import { validationError } from '../../shared/app-error';
import { errors } from '../schemas';
import type { OpenStreams } from '../open-streams';
import { sseResponse } from '../sse';
import { CHAT_DESCRIPTION, ChatAnswer, ChatRequest } from './chat.schema';

/** `streams` lists the open turn streams, so a stopping server can end them with a last event. */
export function chatRoutes(chat: Pick<ChatService, 'start' | 'runOnce'>, streams?: OpenStreams) {
  return new Elysia({ detail: { tags: ['chat'] } }).post(
    '/api/chat',
    async ({ body, set }) => {
      const message = body.message;
      if (!message.trim()) {
        throw validationError('message', 'Message must not be blank', 'string_too_short');
      }
      if (body.stream === false) {
        // As the contract has it, a turn answered in one piece generates no title.
        const { agent, result } = await chat.runOnce(body.agent_id, body.session_id, message, {
          onBusy: body.on_busy,
          skipTitle: true,
        });
        return {
          data: {
            content: result.content,
            session_id: body.session_id,
            agent_id: agent.id,
            usage: (result.usage ?? {}) as Record<string, unknown>,
          },
        };
      }
      const turn = await chat.start(body.agent_id, body.session_id, message, { onBusy: body.on_busy });
      const headers = set.headers as Record<string, string>;
      return sseResponse(turnEvents(turn), headers, {
        comment: turn.queued ? 'queued' : undefined,
        streams,
      }) as unknown as never;
    },
    {
      body: ChatRequest,
      response: { 200: ChatAnswer, ...errors(400, 401, 404, 409, 422, 429, 500, 502, 503) },
      detail: { summary: 'Chat with an agent', description: CHAT_DESCRIPTION },
    },
  );
}
