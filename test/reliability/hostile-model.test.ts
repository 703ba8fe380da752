// A broken or hostile model provider: odd frames, counts and silences end in a clean turn or a clean error.
import { describe, expect, it } from 'bun:test';
import { estimatePromptTokens } from '../../src/chat/model-stream-guard';
import { countTokens } from '../../src/chat/token-counter';
import { type ChatFixture, startChatFixture } from '../support/chat-fixture';
import { streamFrame, streamResponse } from '../support/fake-openai-server';
import { readSse } from '../support/sse-client';

async function turn(fixture: ChatFixture, sessionId: string, message: string) {
  const events = await readSse(await fixture.chat({ message, session_id: sessionId }));
  const history = (await fixture.server.json('GET', `/api/sessions/${sessionId}/history`)).body.data.messages as any[];
  const run = (await fixture.server.json('GET', `/api/runs/${events[0]!.data.run_id}`)).body.data;
  return { events, names: events.map((event) => event.event), history, run };
}

/**
 * A streamed reply of `totalBytes` in 64 KiB deltas, pulled lazily (text, or one tool call's arguments),
 * ending with a finish_reason; `sent()` says how much the server wrote before the client aborted.
 */
function hugeReply(kind: 'text' | 'arguments', totalBytes: number) {
  const piece = 'x'.repeat(64 * 1024);
  const call = { index: 0, id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"' } };
  const frames = function* () {
    yield streamFrame(kind === 'text' ? { role: 'assistant', content: '' } : { role: 'assistant', tool_calls: [call] });
    for (let sent = 0; sent < totalBytes; sent += piece.length)
      yield streamFrame(
        kind === 'text' ? { content: piece } : { tool_calls: [{ index: 0, function: { arguments: piece } }] },
      );
    yield `${streamFrame({}, 'stop')}data: [DONE]\n\n`;
  };
  let sentBytes = 0;
  const step = {
    kind: 'raw' as const,
    respond: (_body: unknown, signal: AbortSignal) => {
      const source = frames();
      signal.addEventListener('abort', () => source.return(undefined), { once: true });
      return new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            const next = source.next();
            if (next.done) return controller.close();
            sentBytes += next.value.length;
            controller.enqueue(new TextEncoder().encode(next.value));
          },
        }),
        { headers: { 'content-type': 'text/event-stream' } },
      );
    },
  };
  return { step, sent: () => sentBytes };
}

describe('a hostile model provider', () => {
  it('reports absurd token counts: the turn completes once, and the usage kept is only what is credible', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    const reply = (usage: Record<string, unknown>) => ({
      kind: 'raw' as const,
      respond: () =>
        streamResponse([
          streamFrame({ role: 'assistant', content: 'Counted.' }),
          streamFrame({}, 'stop'),
          streamFrame(null, null, { usage }),
          'data: [DONE]\n\n',
        ]),
    });
    fixture.model.enqueue(
      reply({ prompt_tokens: 1e300, completion_tokens: 9e15, total_tokens: 1e308 }),
      { kind: 'text', text: 'Title' },
      reply({ prompt_tokens: 10, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 1e6 } }),
    );
    const first = await turn(fixture, sessionId, 'count');
    expect(first.names.slice(-2)).toEqual(['done', 'title']);
    expect(first.run.status).toBe('completed');
    const second = await turn(fixture, sessionId, 'again');
    expect(second.names.at(-1)).toBe('done');
    expect(second.history.map((message) => [message.role, message.content])).toEqual([
      ['user', 'count'],
      ['assistant', 'Counted.'],
      ['user', 'again'],
      ['assistant', 'Counted.'],
    ]);
    const records = (await fixture.server.json('GET', '/api/usage/records?trigger_type=chat')).body.data.records;
    expect(
      records.map((record: any) => [record.input_tokens, record.input_cache_read_tokens, record.output_tokens]),
    ).toEqual([[10, 10, 5]]);
  });

  it('falls silent after its first token: the turn fails after llm_runtime.timeout_seconds, the request aborted', async () => {
    await using fixture = await startChatFixture();
    await fixture.server.json('PUT', '/api/config/runtime', {
      config: { llm_runtime: { timeout_seconds: 5 }, agent_runtime: { max_retries: 0 } },
    });
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({
      kind: 'raw',
      respond: (_body, signal) => streamResponse([streamFrame({ role: 'assistant', content: 'First' })], signal),
    });
    const { events, names, history, run } = await turn(fixture, sessionId, 'hello');
    expect(names.filter((name) => name !== 'usage')).toEqual(['run_start', 'agent_update', 'token', 'error']);
    expect(events.at(-1)!.data).toEqual(
      expect.objectContaining({
        code: 'model_stream_incomplete',
        error: 'The model stream ended before the reply was finished: the model sent nothing for 5 s after 1 chunk(s).',
      }),
    );
    expect(history.map((message) => [message.role, message.content, message.status])).toEqual([
      ['user', 'hello', undefined],
      ['assistant', 'First', 'failed'],
    ]);
    expect([run.status, run.error.code]).toEqual(['failed', 'model_stream_incomplete']);
    expect(fixture.model.abortedRequests()).toBe(1);
  }, 20_000);

  it('thinks quietly past the timeout, sending only keep-alive comments: the turn waits and completes', async () => {
    await using fixture = await startChatFixture();
    await fixture.server.json('PUT', '/api/config/runtime', {
      config: { llm_runtime: { timeout_seconds: 5 }, agent_runtime: { max_retries: 0 } },
    });
    const sessionId = await fixture.newSession();
    // As OpenRouter's `: OPENROUTER PROCESSING`: comments every second for 7 s, which the SDK drops, then the answer.
    fixture.model.enqueue({
      kind: 'raw',
      respond: () => {
        let beats = 0;
        return new Response(
          new ReadableStream<Uint8Array>({
            async pull(controller) {
              if (beats++ < 7) {
                await Bun.sleep(1000);
                controller.enqueue(new TextEncoder().encode(': PROCESSING\n\n'));
                return;
              }
              const answer = streamFrame({ role: 'assistant', content: 'Thought it over' }, 'stop');
              controller.enqueue(new TextEncoder().encode(`${answer}data: [DONE]\n\n`));
              controller.close();
            },
          }),
          { headers: { 'content-type': 'text/event-stream' } },
        );
      },
    });
    const { names, history, run } = await turn(fixture, sessionId, 'think');
    expect(names.filter((name) => name !== 'usage')).toEqual([
      'run_start',
      'agent_update',
      'token',
      'agent_update',
      'done',
      'title',
    ]);
    expect(history.map((message) => [message.role, message.content, message.status])).toEqual([
      ['user', 'think', undefined],
      ['assistant', 'Thought it over', undefined],
    ]);
    expect(run.status).toBe('completed');
  }, 30_000);

  it('holds its connection open after a whole reply: the turn ends with that reply once the timeout passes', async () => {
    await using fixture = await startChatFixture();
    await fixture.server.json('PUT', '/api/config/runtime', {
      config: { llm_runtime: { timeout_seconds: 5 }, agent_runtime: { max_retries: 0 } },
    });
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({
      kind: 'raw',
      respond: (_body, signal) =>
        streamResponse(
          [streamFrame({ role: 'assistant', content: 'All' }), streamFrame({ content: ' said' }, 'stop')],
          signal,
        ),
    });
    const { names, history, run } = await turn(fixture, sessionId, 'hello');
    expect(names.filter((name) => name !== 'usage')).toEqual([
      'run_start',
      'agent_update',
      'token',
      'token',
      'agent_update',
      'done',
      'title',
    ]);
    expect(history.map((message) => [message.role, message.content, message.status])).toEqual([
      ['user', 'hello', undefined],
      ['assistant', 'All said', undefined],
    ]);
    expect(run.status).toBe('completed');
    expect(fixture.model.abortedRequests()).toBe(1);
  }, 20_000);

  it("never names the role of its deltas: the text and the tool call are the assistant's", async () => {
    await using fixture = await startChatFixture();
    await fixture.server.json('PUT', '/api/config/runtime', { config: { agent_runtime: { max_retries: 0 } } });
    const sessionId = await fixture.newSession();
    const roleless = (frames: string[]) => ({ kind: 'raw' as const, respond: () => streamResponse(frames) });
    const call = { index: 0, id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '' } };
    fixture.model.enqueue(
      roleless([
        streamFrame({ tool_calls: [call] }),
        streamFrame({ tool_calls: [{ index: 0, function: { arguments: '{"path":"memory/MEMORY.md"}' } }] }),
        streamFrame({}, 'tool_calls'),
        'data: [DONE]\n\n',
      ]),
      roleless([
        streamFrame({ content: 'Read ' }),
        streamFrame({ content: 'it.' }),
        streamFrame({}, 'stop'),
        'data: [DONE]\n\n',
      ]),
      { kind: 'text', text: 'Title' },
    );
    const { events, names, history, run } = await turn(fixture, sessionId, 'read your memory');
    expect(names.filter((name) => ['tool_start', 'tool_end', 'done', 'error'].includes(name))).toEqual([
      'tool_start',
      'tool_end',
      'done',
    ]);
    expect(events.find((event) => event.event === 'done')!.data.content).toBe('Read it.');
    expect(history.map((message) => [message.role, message.content, message.tool_calls?.length ?? 0])).toEqual([
      ['user', 'read your memory', 0],
      ['assistant', '', 1],
      ['assistant', 'Read it.', 0],
    ]);
    expect(run.status).toBe('completed');
  });

  it('sends a 100 MB line with no newline: the turn fails once 16 MiB are in, and the rest is never read', async () => {
    await using fixture = await startChatFixture();
    await fixture.server.json('PUT', '/api/config/runtime', { config: { agent_runtime: { max_retries: 0 } } });
    const sessionId = await fixture.newSession();
    const piece = new TextEncoder().encode('x'.repeat(1024 * 1024));
    let sentBytes = 0;
    fixture.model.enqueue({
      kind: 'raw',
      respond: () =>
        new Response(
          new ReadableStream<Uint8Array>({
            pull(controller) {
              if (sentBytes >= 100 * piece.length) return controller.close();
              sentBytes += piece.length;
              controller.enqueue(piece);
            },
          }),
          { headers: { 'content-type': 'text/event-stream' } },
        ),
    });
    const { events, history, run } = await turn(fixture, sessionId, 'hello');
    expect(events.at(-1)!.data).toEqual(
      expect.objectContaining({
        code: 'llm_error',
        error: "The model's answer had a line over 16 MiB without a newline; it was cut off.",
      }),
    );
    expect(history.map((message) => message.role)).toEqual(['user']);
    expect(run.status).toBe('failed');
    expect(sentBytes).toBeLessThan(40 * piece.length);
  });

  for (const kind of ['arguments', 'text'] as const) {
    it(`sends 160 MiB of ${kind} in small lines: the turn fails once 8 MiB are in, the rest never read, what came estimated`, async () => {
      await using fixture = await startChatFixture();
      await fixture.server.json('PUT', '/api/config/runtime', { config: { agent_runtime: { max_retries: 0 } } });
      const sessionId = await fixture.newSession();
      const reply = hugeReply(kind, 160 * 1024 * 1024);
      fixture.model.enqueue(reply.step);
      const { events, names, history, run } = await turn(fixture, sessionId, 'hello');
      expect(names.filter((name) => ['tool_start', 'done', 'error'].includes(name))).toEqual(['error']);
      expect(events.at(-1)!.data).toEqual(
        expect.objectContaining({
          code: 'llm_error',
          error: "The model's reply passed 8 MiB of text and tool-call arguments; it was cut off.",
        }),
      );
      // A partial text is kept as a failed reply, like a stream that broke; a tool call never finished is not.
      expect(history.map((message) => [message.role, message.content.length, message.status])).toEqual(
        kind === 'text'
          ? [
              ['user', 5, undefined],
              ['assistant', 8 * 1024 * 1024, 'failed'],
            ]
          : [['user', 5, undefined]],
      );
      expect([run.status, run.error.code]).toEqual(['failed', 'llm_error']);
      // The request is aborted; Bun's fetch reads the socket ahead of the guard (10-12 MiB on a quiet machine, 38 MiB
      // seen with the machine's two cores busy: how far is a race), never to the end.
      expect(fixture.model.abortedRequests()).toBe(1);
      expect(reply.sent()).toBeLessThan(160 * 1024 * 1024);
      // The provider bills what it sent: the prompt and the reply up to the 64 KiB delta that passed 8 MiB.
      const piece = 'x'.repeat(64 * 1024);
      const output =
        kind === 'text'
          ? countTokens(piece.repeat(129))
          : countTokens('read_file') + countTokens(`{"path":"${piece.repeat(128)}`);
      const input = estimatePromptTokens(fixture.model.chatRequests()[0]!.body);
      const records = (await fixture.server.json('GET', '/api/usage/records?trigger_type=chat')).body.data.records;
      expect(records).toEqual([
        expect.objectContaining({
          run_id: events[0]!.data.run_id,
          estimated: true,
          input_tokens: input,
          output_tokens: output,
        }),
      ]);
      expect(events.filter((event) => event.event === 'usage').at(-1)!.data).toEqual(
        expect.objectContaining({ estimated: true, input_tokens: input, output_tokens: output }),
      );
    }, 30_000);
  }
});
