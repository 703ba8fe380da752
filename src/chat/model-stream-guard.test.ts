import { describe, expect, it } from 'bun:test';
import type { OpenAIClient } from '@langchain/openai';
import {
  estimatePromptTokens,
  guardModelStream,
  incompleteStreamOf,
  ModelReplyTooLargeError,
  ModelStreamIncompleteError,
  streamEstimateOf,
} from './model-stream-guard';
import { countTokens } from './token-counter';

type Chunk = OpenAIClient.Chat.Completions.ChatCompletionChunk;
type Delta = Chunk['choices'][number]['delta'] & { reasoning_content?: string };

const chunk = (delta: Delta, finish: Chunk['choices'][number]['finish_reason'] = null): Chunk => ({
  id: 'c',
  object: 'chat.completion.chunk',
  created: 0,
  model: 'm',
  choices: [{ index: 0, delta, finish_reason: finish }],
});
const usageChunk: Chunk = {
  id: 'c',
  object: 'chat.completion.chunk',
  created: 0,
  model: 'm',
  choices: [],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
};

const request = { messages: [{ role: 'user' as const, content: 'hello there' }] };
const PROMPT = 3 + 3 + countTokens('user') + countTokens('hello there');

async function* from(chunks: Chunk[], failure?: Error): AsyncGenerator<Chunk> {
  yield* chunks;
  if (failure) throw failure;
}

async function drain(chunks: AsyncIterable<Chunk>): Promise<{ seen: Chunk[]; error: unknown }> {
  const seen: Chunk[] = [];
  try {
    for await (const item of chunks) seen.push(item);
    return { seen, error: null };
  } catch (error) {
    return { seen, error };
  }
}

describe('guardModelStream', () => {
  it('passes a finished stream through untouched, usage chunk included', async () => {
    const chunks = [chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hi' }), chunk({}, 'stop'), usageChunk];
    expect(await drain(guardModelStream(from(chunks), request))).toEqual({ seen: chunks, error: null });
  });

  it('fails a stream that ends without a finish_reason, after passing on what came, with estimated usage', async () => {
    const chunks = [
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'part' }),
      chunk({ content: 'ial ' }),
      chunk({ reasoning_content: 'thinking' }),
    ];
    const { seen, error } = await drain(guardModelStream(from(chunks), request));
    expect(seen).toEqual(chunks);
    expect(error).toBeInstanceOf(ModelStreamIncompleteError);
    const incomplete = error as ModelStreamIncompleteError;
    expect(incomplete.estimate).toEqual({
      input_tokens: PROMPT,
      output_tokens: countTokens('partial ') + countTokens('thinking'),
    });
    expect(incomplete.receivedChunks).toBe(3);
    expect(incomplete.cause).toBeUndefined();
    expect(incomplete.message).toContain('without a finish_reason after 3 chunk(s)');
  });

  it('counts the tool calls that had started: names and argument pieces, each call whole', async () => {
    const chunks = [
      chunk({ tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'echo', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"te' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: 'xt":' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'b', type: 'function', function: { name: 'read_file', arguments: '{' } }] }),
    ];
    const { error } = await drain(guardModelStream(from(chunks), request));
    expect((error as ModelStreamIncompleteError).estimate.output_tokens).toBe(
      countTokens('echo') + countTokens('{"text":') + countTokens('read_file') + countTokens('{'),
    );
  });

  it('turns a network error before the finish into the same failure, keeping the cause; other errors pass unchanged', async () => {
    const reset = new TypeError('ECONNRESET: The socket connection was closed unexpectedly.');
    const { error } = await drain(guardModelStream(from([chunk({ content: 'Hi' })], reset), request));
    expect(error).toBeInstanceOf(ModelStreamIncompleteError);
    expect((error as Error).cause).toBe(reset);
    expect((error as Error).message).toContain('the connection broke after 1 chunk(s)');
    const malformed = new SyntaxError('malformed server-sent event JSON');
    expect((await drain(guardModelStream(from([chunk({ content: 'Hi' })], malformed), request))).error).toBe(malformed);
    const lateReset = new TypeError('reset after the finish');
    expect((await drain(guardModelStream(from([chunk({ content: 'Hi' }, 'stop')], lateReset), request))).error).toBe(
      lateReset,
    );
  });

  it('ends quietly when the caller aborted, so the abort is what gets reported', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await drain(guardModelStream(from([chunk({ content: 'Hi' })]), request, controller.signal))).toEqual({
      seen: [chunk({ content: 'Hi', role: 'assistant' })],
      error: null,
    });
  });

  it("gives a delta that names no role the assistant's, and leaves a named role as it is", async () => {
    const chunks = [chunk({ content: 'Hi' }), chunk({ role: 'tool', content: '!' }), chunk({}, 'stop')];
    const { seen } = await drain(guardModelStream(from(chunks), request));
    expect(seen.map((item) => item.choices[0]!.delta.role)).toEqual(['assistant', 'tool', 'assistant']);
  });
});

describe('estimatePromptTokens', () => {
  it('counts roles, text parts, names, tool calls, 3 tokens a message plus 3, and the tool schemas', () => {
    const tools = [{ type: 'function' as const, function: { name: 'echo', parameters: { type: 'object' } } }];
    const estimate = estimatePromptTokens({
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look at ' },
            { type: 'image_url', image_url: { url: 'data:,' } },
            { type: 'text', text: 'this' },
          ],
          name: 'ada',
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 't', type: 'function', function: { name: 'echo', arguments: '{"text":"x"}' } }],
        },
        { role: 'tool', content: '{"ok":true}', tool_call_id: 't' },
      ],
      tools,
    });
    const roles = ['system', 'user', 'assistant', 'tool'].reduce((sum, role) => sum + countTokens(role), 0);
    const texts =
      countTokens('Be brief.') +
      countTokens('Look at this') +
      countTokens('ada') +
      1 +
      countTokens('echo') +
      countTokens('{"text":"x"}') +
      countTokens('{"ok":true}');
    expect(estimate).toBe(3 + 4 * 3 + roles + texts + countTokens(JSON.stringify(tools)));
  });
});

describe('incompleteStreamOf', () => {
  it('finds the failure through the causes LangChain wraps it in, and nothing in other errors', () => {
    const incomplete = new ModelStreamIncompleteError({ input_tokens: 1, output_tokens: 0 }, 0);
    expect(
      incompleteStreamOf(new Error('middleware failed', { cause: new Error('model failed', { cause: incomplete }) })),
    ).toBe(incomplete);
    expect(incompleteStreamOf(new Error('plain'))).toBeNull();
    expect(incompleteStreamOf('text')).toBeNull();
  });

  it('counts text, reasoning and tool-call names and arguments, and stops the request once they pass the limit, with estimated usage', async () => {
    let aborts = 0;
    const stall = { idleMs: 60_000, abort: () => void (aborts += 1) };
    const call = { index: 0, id: 'x', type: 'function' as const, function: { name: 'tool', arguments: '{"a"' } };
    const chunks = [
      chunk({ role: 'assistant', content: 'abc' }),
      chunk({ reasoning_content: 'de' }),
      chunk({ tool_calls: [call] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }),
      chunk({}, 'stop'),
    ];
    const fits = await drain(guardModelStream(from(chunks), request, undefined, stall, 16));
    expect([fits.seen.length, fits.error, aborts]).toEqual([5, null, 0]);
    const over = await drain(guardModelStream(from(chunks), request, undefined, stall, 15));
    const output = countTokens('abc') + countTokens('de') + countTokens('tool') + countTokens('{"a":1}');
    expect([over.seen.length, over.error, aborts]).toEqual([
      3,
      new ModelReplyTooLargeError(15, { input_tokens: PROMPT, output_tokens: output }),
      1,
    ]);
    expect((over.error as ModelReplyTooLargeError).estimate).toEqual({ input_tokens: PROMPT, output_tokens: output });
    expect(streamEstimateOf(new Error('wrapped', { cause: over.error }))).toEqual({
      input_tokens: PROMPT,
      output_tokens: output,
    });
  });
});
