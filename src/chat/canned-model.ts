// A model endpoint inside the process, on loopback, with one fixed answer: what warming the turn's code paths talks to.
import { forgetChatModels } from './model-cache';
import { forgetInModelWorkers } from './model-worker/worker-pool';

/** The reply every call gets (streamed in a few chunks, or whole). */
const REPLY = 'Ready to help.';
const USAGE = { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 };

export interface CannedModel extends Disposable {
  /** Base URL for an OpenAI client (`http://127.0.0.1:<port>/v1`). */
  baseUrl: string;
  /** Chat requests answered so far. */
  readonly calls: number;
}

const chunk = (model: string, delta: Record<string, unknown>, finish: string | null) => ({
  id: 'chatcmpl-warm-up',
  object: 'chat.completion.chunk',
  created: Math.floor(Date.now() / 1000),
  model,
  choices: [{ index: 0, delta, finish_reason: finish }],
});

/** The streamed form of REPLY, as an OpenAI-compatible server sends it: role, text pieces, finish, usage, [DONE]. */
function streamedReply(model: string): string {
  const events = [
    chunk(model, { role: 'assistant', content: '' }, null),
    ...(REPLY.match(/.{1,4}/g) ?? []).map((piece) => chunk(model, { content: piece }, null)),
    chunk(model, {}, 'stop'),
    { ...chunk(model, {}, null), choices: [], usage: USAGE },
  ];
  return `${events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join('')}data: [DONE]\n\n`;
}

/**
 * Starts the endpoint on 127.0.0.1, a port of the system's choosing; disposing of it stops it at once and drops
 * the model clients made for it.
 */
export function startCannedModel(): CannedModel {
  let calls = 0;
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      if (request.method !== 'POST' || !new URL(request.url).pathname.endsWith('/chat/completions'))
        return new Response('not found', { status: 404 });
      calls += 1;
      const body = (await request.json()) as { model?: string; stream?: boolean };
      const model = body.model ?? 'warm-up';
      if (body.stream) return new Response(streamedReply(model), { headers: { 'content-type': 'text/event-stream' } });
      return Response.json({
        id: 'chatcmpl-warm-up',
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: REPLY }, finish_reason: 'stop' }],
        usage: USAGE,
      });
    },
  });
  const baseUrl = `http://127.0.0.1:${server.port}/v1`;
  return {
    baseUrl,
    get calls() {
      return calls;
    },
    // The clients made for it point at a port that is closed now: they (and their agent graphs) go too, here and in
    // the model workers, which made their own for the calls they ran.
    [Symbol.dispose]: () => {
      void server.stop(true);
      forgetChatModels(baseUrl);
      forgetInModelWorkers(baseUrl);
    },
  };
}
