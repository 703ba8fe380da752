// POST /api/chat: one agent turn, streamed as SSE or answered as one JSON object.
import { Elysia, t } from 'elysia';
import type { ChatService } from '../../chat/chat-service';
import { validationError } from '../../shared/app-error';
import { errors, ok, SessionId } from '../schemas';
import { sseResponse } from '../sse';

const ChatRequest = t.Object({
  message: t.String({ minLength: 1, maxLength: 200_000 }),
  session_id: SessionId,
  agent_id: t.Optional(t.String({ minLength: 1, maxLength: 64 })),
  stream: t.Optional(t.Boolean({ default: true })),
});

export function chatRoutes(chat: ChatService) {
  return new Elysia({ detail: { tags: ['chat'] } }).post(
    '/api/chat',
    async ({ body, set }) => {
      const message = body.message;
      if (!message.trim()) {
        throw validationError('message', 'Message must not be blank', 'string_too_short');
      }
      if (body.stream === false) {
        const { agent, result } = await chat.runOnce(body.agent_id, body.session_id, message);
        return { data: { content: result.content, session_id: body.session_id, agent_id: agent.id, usage: (result.usage ?? {}) as Record<string, unknown> } };
      }
      const { run } = chat.start(body.agent_id, body.session_id, message);
      return sseResponse(run.subscribe(), set.headers as Record<string, string>) as unknown as never;
    },
    {
      body: ChatRequest,
      response: {
        200: ok(t.Object({ content: t.String(), session_id: t.String(), agent_id: t.String(), usage: t.Record(t.String(), t.Any()) })),
        ...errors(400, 401, 404, 409, 422, 429, 500, 502, 503),
      },
      detail: {
        summary: 'Chat with an agent',
        description:
          'With `stream` true (default) the answer is `text/event-stream` with events run_start, agent_update, token, tool_start, tool_end, new_response, reasoning, usage, done, title, error. A second request with the same message attaches to the live run; a different one gets 409 `session_busy`. When the agent\'s `usage.budget` blocks runs, the answer is 429 `budget_exceeded` (details: window, cap, spend, reset time) and the model is not called; from 80 % of a cap the `usage` event carries a `budget` warning. A model stream that ends before the model finished (no finish_reason) ends in an `error` event with code `model_stream_incomplete` (without streaming: 502 `llm_error` with `details.code`).',
      },
    },
  );
}
