// Wire shapes of POST /api/chat: the request and the non-streamed answer.
import { t } from 'elysia';
import { ok, SessionId } from '../schemas';

export const ChatRequest = t.Object({
  message: t.String({ minLength: 1, maxLength: 200_000 }),
  session_id: SessionId,
  agent_id: t.Optional(t.String({ minLength: 1, maxLength: 64 })),
  stream: t.Optional(t.Boolean({ default: true })),
  on_busy: t.Optional(
    t.Union([t.Literal('reject'), t.Literal('enqueue'), t.Literal('interrupt')], {
      default: 'reject',
      description:
        'When the session already has a live run: `reject` (409 `session_busy`; the same message attaches), `enqueue` (stored with `status: queued`, run when the session is free, in order; the stream waits for it; at most 32 per session, then 409 `queue_full`; with replicas sharing a database, one that another replica took and runs ends this stream with `error {code: "queued_elsewhere"}`, 409 without streaming), `interrupt` (cancel the live run, then run this one).',
    }),
  ),
});

export const ChatAnswer = ok(
  t.Object({ content: t.String(), session_id: t.String(), agent_id: t.String(), usage: t.Record(t.String(), t.Any()) }),
);

export const CHAT_DESCRIPTION =
  "With `stream` true (default) the answer is `text/event-stream` with events run_start, model_fallback, agent_update, token, tool_start, tool_end, new_response, reasoning, usage, done, title, error (`model_fallback {from, to, reason}`: the turn moves to the next profile of the agent's `llm_route`). A second request with the same message attaches to the live run; a different one gets 409 `session_busy`. When the agent's `usage.budget` blocks runs, the answer is 429 `budget_exceeded` (details: window, cap, spend, reset time) and the model is not called; from 80 % of a cap the `usage` event carries a `budget` warning. A model stream that ends before the model finished (no finish_reason) ends in an `error` event with code `model_stream_incomplete` (without streaming: 502 `llm_error` with `details.code`).";
