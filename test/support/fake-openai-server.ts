// An OpenAI-compatible model server on loopback that replays a scripted queue and records every request.

export type ScriptStep =
  | { kind: 'text'; text: string; chunkSize?: number; delayMs?: number; usage?: Usage; reasoning?: string }
  | { kind: 'tool_calls'; calls: { name: string; args: unknown | string; id?: string }[]; text?: string; usage?: Usage }
  | { kind: 'error'; status: number; body?: unknown; headers?: Record<string, string> }
  /**
   * Streams `text` then breaks the connection without finishing: once `after` settles when given (a test waits for
   * the tokens to reach its client first, as a reset may drop data the client has not read), else 5 ms later.
   */
  | { kind: 'cut'; text: string; after?: Promise<unknown> }
  /**
   * Streams the first `afterChunks` pieces of `text` (all of them when absent), then ends the HTTP body
   * cleanly: no `finish_reason`, no `[DONE]`. With `calls`, the tool-call arguments are the pieces instead.
   * `finish: true` sends the finish reason but still no `[DONE]`.
   */
  | {
      kind: 'close';
      text?: string;
      calls?: { name: string; args: unknown | string; id?: string }[];
      afterChunks?: number;
      chunkSize?: number;
      finish?: boolean;
    }
  /** Never answers until the client gives up. */
  | { kind: 'hang' }
  /** Answers as `step` once `until` settles (a test holds the server's call where it wants it). */
  | { kind: 'held'; until: Promise<unknown>; step: ScriptStep }
  /** Answers with a stream chunk that is not JSON. */
  | { kind: 'malformed' }
  /** Answers with whatever `respond` builds from the request body (hostile framing, odd headers, redirects). */
  | { kind: 'raw'; respond: (body: any, signal: AbortSignal) => Response | Promise<Response> };

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
  /** DeepSeek's cache counters, passed through as DeepSeek sends them. */
  prompt_cache_hit_tokens?: number;
  prompt_cache_miss_tokens?: number;
}

export interface RecordedRequest {
  path: string;
  body: any;
  headers: Record<string, string>;
}

export interface FakeOpenAiServer {
  /** Base URL to give a client, ending in /v1. */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Chat requests only. */
  chatRequests(): RecordedRequest[];
  enqueue(...steps: ScriptStep[]): void;
  /** Steps used when the queue is empty (default: a short text reply). */
  setFallback(step: ScriptStep | ((request: any) => ScriptStep)): void;
  /** Embedding requests only (OpenAI `/embeddings` and Google `:batchEmbedContents`). */
  embeddingRequests(): RecordedRequest[];
  /** Every text sent for embedding, in arrival order. */
  embeddedTexts(): string[];
  /** How texts become vectors (default `fakeEmbedding`). */
  setEmbedder(embedder: (text: string) => number[]): void;
  /** Makes every embedding request fail with `status` until called with null. */
  failEmbeddings(status: number | null, message?: string): void;
  /** How many chat requests the client aborted (closed before the answer ended). */
  abortedRequests(): number;
  /** Resolves when a chat request has arrived and is waiting or streaming (for hang/slow steps). */
  waitForRequests(count: number): Promise<void>;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const encoder = new TextEncoder();
const DEFAULT_USAGE: Usage = { prompt_tokens: 10, completion_tokens: 5 };

function chunk(id: string, model: string, delta: Record<string, unknown>, finish: string | null = null, usage?: Usage) {
  return `data: ${JSON.stringify({
    id,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }],
    ...(usage
      ? { usage: { ...usage, total_tokens: usage.total_tokens ?? usage.prompt_tokens + usage.completion_tokens } }
      : {}),
  })}\n\n`;
}

/**
 * One `data:` frame of a streamed completion for a `raw` step, written as a test wants it: `choices` null
 * sends an empty list, `extra` adds top-level fields (`usage`).
 */
export function streamFrame(
  delta: Record<string, unknown> | null,
  finish: string | null = null,
  extra: Record<string, unknown> = {},
): string {
  const choices = delta === null ? [] : [{ index: 0, delta, finish_reason: finish }];
  return `data: ${JSON.stringify({ id: 'chatcmpl-raw', object: 'chat.completion.chunk', created: 1, model: 'fake-model', choices, ...extra })}\n\n`;
}

/** An event-stream response of `frames`; with `hold`, the body stays open after them until the request aborts. */
export function streamResponse(frames: string[], hold?: AbortSignal): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const frame of frames) controller.enqueue(encoder.encode(frame));
      if (hold) hold.addEventListener('abort', () => controller.close(), { once: true });
      else controller.close();
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

function pieces(text: string, size: number): string[] {
  const result: string[] = [];
  for (let index = 0; index < text.length; index += size) result.push(text.slice(index, index + size));
  return result;
}

/** The deltas of a `close` step: text pieces, or one tool call's head followed by its argument pieces. */
function closeDeltas(step: Extract<ScriptStep, { kind: 'close' }>, requestIndex: number): Record<string, unknown>[] {
  const size = step.chunkSize ?? 4;
  const textDeltas = pieces(step.text ?? '', size).map((content) => ({ content }));
  if (!step.calls) return textDeltas;
  return [
    ...textDeltas,
    ...step.calls.flatMap((call, index) => [
      {
        tool_calls: [
          {
            index,
            id: call.id ?? `call_${requestIndex}_${index}`,
            type: 'function',
            function: { name: call.name, arguments: '' },
          },
        ],
      },
      ...pieces(typeof call.args === 'string' ? call.args : JSON.stringify(call.args), size).map((args) => ({
        tool_calls: [{ index, function: { arguments: args } }],
      })),
    ]),
  ];
}

/** A deterministic 8-dimensional embedding of `text`, so tests can reason about similarity. */
export function fakeEmbedding(text: string): number[] {
  const vector = new Array<number>(8).fill(0);
  for (const word of text.toLowerCase().split(/\W+/).filter(Boolean)) {
    let hash = 0;
    for (const char of word) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
    vector[hash % 8]! += 1;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

export async function startFakeOpenAiServer(): Promise<FakeOpenAiServer> {
  const queue: ScriptStep[] = [];
  const requests: RecordedRequest[] = [];
  let fallback: ScriptStep | ((request: any) => ScriptStep) = { kind: 'text', text: 'Hello from the fake model.' };
  let aborted = 0;
  let embedder: (text: string) => number[] = fakeEmbedding;
  let embeddingFailure: number | null = null;
  let embeddingFailureMessage = 'fake embedding failure';
  const isEmbedding = (path: string) => path.endsWith('/embeddings') || path.endsWith(':batchEmbedContents');
  const embeddingInputs = (request: RecordedRequest): string[] =>
    request.path.endsWith(':batchEmbedContents')
      ? (request.body.requests ?? []).map((item: any) => String(item?.content?.parts?.[0]?.text ?? ''))
      : (Array.isArray(request.body.input) ? request.body.input : [request.body.input]).map(String);
  const waiters: { count: number; resolve: () => void }[] = [];
  const notify = () => {
    const chats = requests.filter((request) => request.path.endsWith('/chat/completions')).length;
    for (const waiter of [...waiters])
      if (chats >= waiter.count) waiters.splice(waiters.indexOf(waiter), 1), waiter.resolve();
  };

  const respond = (step: ScriptStep, body: any, signal: AbortSignal): Response | Promise<Response> => {
    const model = String(body.model ?? 'fake-model');
    const stream = body.stream === true;
    // Real servers give every completion its own id; LangChain merges messages that share one.
    const completionId = `chatcmpl-fake-${requests.length}`;
    if (step.kind === 'error') {
      return Response.json(step.body ?? { error: { message: `fake error ${step.status}`, type: 'server_error' } }, {
        status: step.status,
        headers: step.headers,
      });
    }
    if (step.kind === 'raw') return step.respond(body, signal);
    if (step.kind === 'held') return step.until.then(() => respond(step.step, body, signal));
    if (step.kind === 'hang') {
      return new Promise<Response>((resolve) =>
        signal.addEventListener('abort', () => resolve(new Response('aborted', { status: 499 }))),
      );
    }
    if (!stream) {
      const message: Record<string, unknown> = {
        role: 'assistant',
        content: step.kind === 'text' ? step.text : step.kind === 'tool_calls' ? (step.text ?? null) : '',
      };
      if (step.kind === 'tool_calls') {
        message.tool_calls = step.calls.map((call, index) => ({
          id: call.id ?? `call_${requests.length}_${index}`,
          type: 'function',
          function: {
            name: call.name,
            arguments: typeof call.args === 'string' ? call.args : JSON.stringify(call.args),
          },
        }));
      }
      const usage = ('usage' in step && step.usage) || DEFAULT_USAGE;
      return Response.json({
        id: completionId,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [{ index: 0, message, finish_reason: step.kind === 'tool_calls' ? 'tool_calls' : 'stop' }],
        usage: { ...usage, total_tokens: usage.total_tokens ?? usage.prompt_tokens + usage.completion_tokens },
      });
    }
    const body$ = new ReadableStream<Uint8Array>({
      async start(controller) {
        const send = (text: string) => controller.enqueue(encoder.encode(text));
        send(chunk(completionId, model, { role: 'assistant', content: '' }));
        if (step.kind === 'malformed') {
          send('data: {this is not json\n\n');
          controller.close();
          return;
        }
        if (step.kind === 'cut') {
          for (const piece of pieces(step.text, 4)) send(chunk(completionId, model, { content: piece }));
          await (step.after ?? Bun.sleep(5));
          controller.error(new Error('connection cut by the fake server'));
          return;
        }
        if (step.kind === 'close') {
          const deltas = closeDeltas(step, requests.length);
          for (const delta of deltas.slice(0, step.afterChunks ?? deltas.length))
            send(chunk(completionId, model, delta));
          if (step.finish) send(chunk(completionId, model, {}, step.calls ? 'tool_calls' : 'stop'));
          controller.close();
          return;
        }
        if (step.kind === 'text') {
          if (step.reasoning) send(chunk(completionId, model, { reasoning_content: step.reasoning }));
          for (const piece of pieces(step.text, step.chunkSize ?? 4)) {
            if (signal.aborted) return;
            if (step.delayMs) await Bun.sleep(step.delayMs);
            send(chunk(completionId, model, { content: piece }));
          }
          send(chunk(completionId, model, {}, 'stop'));
        } else {
          if (step.text) send(chunk(completionId, model, { content: step.text }));
          step.calls.forEach((call, index) => {
            const args = typeof call.args === 'string' ? call.args : JSON.stringify(call.args);
            send(
              chunk(completionId, model, {
                tool_calls: [
                  {
                    index,
                    id: call.id ?? `call_${requests.length}_${index}`,
                    type: 'function',
                    function: { name: call.name, arguments: '' },
                  },
                ],
              }),
            );
            send(chunk(completionId, model, { tool_calls: [{ index, function: { arguments: args } }] }));
          });
          send(chunk(completionId, model, {}, 'tool_calls'));
        }
        if (body.stream_options?.include_usage)
          send(chunk(completionId, model, {}, null, ('usage' in step && step.usage) || DEFAULT_USAGE));
        send('data: [DONE]\n\n');
        controller.close();
      },
    });
    return new Response(body$, { headers: { 'content-type': 'text/event-stream' } });
  };

  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    idleTimeout: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const body: any = request.method === 'POST' ? await request.json().catch(() => ({})) : {};
      requests.push({ path: url.pathname, body, headers: Object.fromEntries(request.headers) });
      if (isEmbedding(url.pathname)) {
        if (embeddingFailure !== null)
          return Response.json({ error: { message: embeddingFailureMessage } }, { status: embeddingFailure });
        const inputs = embeddingInputs(requests.at(-1)!);
        if (url.pathname.endsWith(':batchEmbedContents'))
          return Response.json({ embeddings: inputs.map((input) => ({ values: embedder(input) })) });
        return Response.json({
          object: 'list',
          data: inputs.map((input, index) => ({ object: 'embedding', index, embedding: embedder(input) })),
          model: body.model,
          usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
        });
      }
      if (!url.pathname.endsWith('/chat/completions')) return new Response('not found', { status: 404 });
      request.signal.addEventListener('abort', () => (aborted += 1), { once: true });
      notify();
      const step = queue.shift() ?? (typeof fallback === 'function' ? fallback(body) : fallback);
      return respond(step, body, request.signal);
    },
  });

  const stop = async () => {
    await server.stop(true);
  };
  return {
    baseUrl: `http://127.0.0.1:${server.port}/v1`,
    requests,
    chatRequests: () => requests.filter((request) => request.path.endsWith('/chat/completions')),
    embeddingRequests: () => requests.filter((request) => isEmbedding(request.path)),
    embeddedTexts: () => requests.filter((request) => isEmbedding(request.path)).flatMap(embeddingInputs),
    setEmbedder: (next) => {
      embedder = next;
    },
    failEmbeddings: (status, message = 'fake embedding failure') => {
      embeddingFailure = status;
      embeddingFailureMessage = message;
    },
    enqueue: (...steps) => queue.push(...steps),
    abortedRequests: () => aborted,
    setFallback: (step) => {
      fallback = step;
    },
    waitForRequests: (count) =>
      new Promise<void>((resolve) => {
        waiters.push({ count, resolve });
        notify();
      }),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
