import { describe, expect, it } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StreamFixture } from '../../test/support/fixtures/record-chat-stream';
import { createUsagePricer } from '../usage/record-usage';
import { zeroCounts, type TokenCounts } from '../usage/usage-record';
import type { ChatEvent } from './chat-events';
import { toStreamItem } from './stream-items';
import { StreamMapper, TurnTranscript } from './stream-mapper';
import { createTurnUsage } from './turn-usage';

// Real stream items recorded against the fake model server; see the `about` field of each fixture.
const FIXTURES = join(import.meta.dir, '..', '..', 'test', 'support', 'fixtures', 'chat-stream');
const fixture = (name: string): StreamFixture => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));

const RUN = 'run-1';
const price = createUsagePricer();

function newMapper(transcript = new TurnTranscript(), runId = RUN) {
  const usage = createTurnUsage({
    model: 'fake-model',
    baseUrl: 'http://127.0.0.1/v1',
    agentId: 'default',
    sessionId: 'session-1',
    triggerType: 'chat',
    price,
  });
  return new StreamMapper({ runId, transcript, usage });
}

function replay(mapper: StreamMapper, items: unknown[]): ChatEvent[] {
  return items.flatMap((raw) => {
    const item = toStreamItem(raw);
    return item ? mapper.map(item) : [];
  });
}

/** The `usage` event of running totals `counts` (unpriced: the fake model is in no catalog). */
function usage(counts: Partial<TokenCounts>): ChatEvent {
  const record = price({
    schema_version: 2,
    agent_id: 'default',
    provider: 'unknown',
    model: 'fake-model',
    model_source: 'fallback_model',
    usage_source: 'usage_metadata',
    trigger_type: 'chat',
    run_id: RUN,
    session_id: 'session-1',
    ...zeroCounts(),
    ...counts,
    estimated: false,
  });
  const { schema_version: _version, trigger_type: _trigger, session_id: _session, ...data } = record;
  return { type: 'usage', data };
}

/** Totals after `calls` calls of the fake server's default usage (10 prompt, 5 completion tokens each). */
const defaultUsage = (calls: number) =>
  usage({
    input_tokens: 10 * calls,
    input_uncached_tokens: 10 * calls,
    output_tokens: 5 * calls,
    total_tokens: 15 * calls,
  });

/** The tool results the fixture's `tools` steps recorded, in order (the mapper passes them through verbatim). */
function toolResults(recorded: StreamFixture): string[] {
  return recorded.items.flatMap((raw) => {
    const item = toStreamItem(raw);
    if (item?.mode !== 'updates') return [];
    return item.updates
      .filter((update) => update.node === 'tools')
      .flatMap((update) => update.messages.map((message) => String(message.content)));
  });
}

const token = (content: string, source: 'messages' | 'updates' = 'messages'): ChatEvent => ({
  type: 'token',
  data: { content, source },
});
const update = (node: string, preview: string): ChatEvent => ({
  type: 'agent_update',
  data: { run_id: RUN, node, message_count: 1, preview },
});
const streaming = update('model', 'Streaming token output');
const toolStart = (text: string): ChatEvent => ({
  type: 'tool_start',
  data: { run_id: RUN, tool: 'echo', input: { text } },
});
const toolEnd = (output: string): ChatEvent => ({ type: 'tool_end', data: { run_id: RUN, tool: 'echo', output } });
const toolSteps = (output: string): ChatEvent[] => [update('tools', output), toolEnd(output)];

describe('StreamMapper', () => {
  it('streams a text reply as messages tokens after one synthetic update, then its usage and the model step', () => {
    const mapper = newMapper();
    expect(replay(mapper, fixture('text').items)).toEqual([
      streaming,
      token('Hell'),
      token('o th'),
      token('ere,'),
      token(' fri'),
      token('end.'),
      defaultUsage(1),
      update('model', 'Hello there, friend.'),
    ]);
    expect([mapper.content(), mapper.tokenSource, mapper.modelCalls, mapper.isRetryable]).toEqual([
      'Hello there, friend.',
      'messages',
      1,
      false,
    ]);
  });

  it('sends a tool call with its result, and opens a new response before the next text', () => {
    const recorded = fixture('tool-call');
    const [result] = toolResults(recorded);
    expect(JSON.parse(result!).data).toEqual({ echoed: 'ping' });
    const mapper = newMapper();
    expect(replay(mapper, recorded.items)).toEqual([
      streaming,
      token('Let me check.'),
      defaultUsage(1),
      update('model', 'Let me check.'),
      toolStart('ping'),
      ...toolSteps(result!),
      { type: 'new_response', data: {} },
      token('It s'),
      token('aid '),
      token('ping'),
      token('.'),
      defaultUsage(2),
      update('model', 'It said ping.'),
    ]);
    expect([mapper.content(), mapper.tokenSource, mapper.modelCalls]).toEqual([
      'Let me check.It said ping.',
      'messages',
      2,
    ]);
  });

  it('sends parallel tool calls as one tool_start each, then each result as the tools step reports it', () => {
    const recorded = fixture('parallel-tool-calls');
    const results = toolResults(recorded);
    expect(results.map((result) => JSON.parse(result).data)).toEqual([{ echoed: 'one' }, { echoed: 'two' }]);
    expect(replay(newMapper(), recorded.items)).toEqual([
      defaultUsage(1),
      update('model', ''),
      toolStart('one'),
      toolStart('two'),
      ...toolSteps(results[0]!),
      ...toolSteps(results[1]!),
      { type: 'new_response', data: {} },
      token('Both'),
      token(' don'),
      token('e.'),
      defaultUsage(2),
      update('model', 'Both done.'),
    ]);
  });

  it('sends the reasoning of a completed model step after its update, once per turn', () => {
    const recorded = fixture('reasoning');
    const transcript = new TurnTranscript();
    const reasoningUsage = usage({
      input_tokens: 12,
      input_uncached_tokens: 12,
      output_tokens: 9,
      reasoning_tokens: 5,
      total_tokens: 21,
    });
    expect(replay(newMapper(transcript), recorded.items)).toEqual([
      streaming,
      token('The '),
      token('answ'),
      token('er i'),
      token('s 4.'),
      reasoningUsage,
      update('model', 'The answer is 4.'),
      { type: 'reasoning', data: { run_id: RUN, content: 'Two plus two makes four.' } },
    ]);
    // A second attempt of the same turn sees the same reasoning: it is not sent again, while its tokens are.
    const retried = replay(newMapper(transcript, 'run-2'), recorded.items);
    expect(retried.filter((event) => event.type === 'reasoning')).toEqual([]);
    expect(retried.filter((event) => event.type === 'token')).toHaveLength(4);
  });

  it('sends running usage totals once per model call, though each call reports its usage in both stream modes', () => {
    const recorded = fixture('usage');
    const [result] = toolResults(recorded);
    expect(replay(newMapper(), recorded.items)).toEqual([
      usage({ input_tokens: 100, input_uncached_tokens: 100, output_tokens: 20, total_tokens: 120 }),
      update('model', ''),
      toolStart('count'),
      ...toolSteps(result!),
      { type: 'new_response', data: {} },
      token('Coun'),
      token('ted.'),
      usage({
        input_tokens: 250,
        input_uncached_tokens: 150,
        input_cache_read_tokens: 100,
        output_tokens: 50,
        total_tokens: 300,
      }),
      update('model', 'Counted.'),
    ]);
  });

  it('maps a run stopped by max_steps up to the call that would need one more step, with no new_response after the last result', () => {
    const recorded = fixture('max-steps');
    expect(recorded.error?.name).toBe('GraphRecursionError');
    const results = toolResults(recorded);
    expect(results).toHaveLength(2);
    const mapper = newMapper();
    expect(replay(mapper, recorded.items)).toEqual([
      defaultUsage(1),
      update('model', ''),
      toolStart('again'),
      ...toolSteps(results[0]!),
      defaultUsage(2),
      update('model', ''),
      toolStart('again'),
      ...toolSteps(results[1]!),
      defaultUsage(3),
      update('model', ''),
      toolStart('again'),
    ]);
    expect([mapper.content(), mapper.tokenSource, mapper.modelCalls, mapper.isRetryable]).toEqual(['', null, 3, false]);
  });

  it('falls back to the text of the completed model step when no token was streamed', () => {
    // The text turn without its `messages` items: what a provider that does not stream tokens gives.
    const updatesOnly = fixture('text').items.filter((raw) => toStreamItem(raw)?.mode === 'updates');
    const mapper = newMapper();
    expect(replay(mapper, updatesOnly)).toEqual([
      update('model', 'Hello there, friend.'),
      defaultUsage(1),
      token('Hello there, friend.', 'updates'),
    ]);
    expect([mapper.content(), mapper.tokenSource, mapper.isRetryable]).toEqual([
      'Hello there, friend.',
      'updates',
      false,
    ]);
  });

  it('ignores streamed text once the updates source was chosen, and still counts its usage', () => {
    // Recorded items put in an order no provider gives: a completed step first, then streamed chunks of another call.
    const items = fixture('text').items;
    const byMode = (mode: string) => items.filter((raw) => toStreamItem(raw)?.mode === mode);
    const mapper = newMapper();
    expect(replay(mapper, [...byMode('updates'), ...byMode('messages')])).toEqual([
      update('model', 'Hello there, friend.'),
      defaultUsage(1),
      token('Hello there, friend.', 'updates'),
      defaultUsage(2),
    ]);
    expect([mapper.content(), mapper.tokenSource]).toEqual(['Hello there, friend.', 'updates']);
  });

  it('keeps the tokens of earlier attempts in the reply, and a fresh attempt may be retried until something reaches the client', () => {
    const transcript = new TurnTranscript();
    replay(newMapper(transcript), fixture('text').items);
    const next = newMapper(transcript, 'run-2');
    expect(next.isRetryable).toBe(true);
    expect(next.content()).toBe('Hello there, friend.');
  });
});
