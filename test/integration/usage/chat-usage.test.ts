import { describe, expect, it } from 'bun:test';
import { startChatFixture } from '../../support/chat-fixture';
import { readSse } from '../../support/sse-client';
import { echoTool } from '../../support/test-tools';

const records = async (
  fixture: { server: { json: (method: string, path: string) => Promise<{ body: any }> } },
  query = '',
) => (await fixture.server.json('GET', `/api/usage/records${query}`)).body.data.records as any[];

describe('usage recorded by chat turns', () => {
  it('prices a streamed turn from the usage LangChain surfaces (cached and reasoning tokens) and records the title call apart', async () => {
    await using fixture = await startChatFixture({ env: { LLM_MODEL: 'gpt-5-mini' } });
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      {
        kind: 'text',
        text: 'Hello.',
        usage: {
          prompt_tokens: 100,
          completion_tokens: 30,
          prompt_tokens_details: { cached_tokens: 20 },
          completion_tokens_details: { reasoning_tokens: 8 },
        },
      },
      { kind: 'text', text: 'Greeting', usage: { prompt_tokens: 40, completion_tokens: 6 } },
    );
    const events = await readSse(await fixture.chat({ message: 'Say hello', session_id: sessionId }));
    const usageEvents = events.filter((event) => event.event === 'usage');
    expect(usageEvents).toHaveLength(1);
    const expected = {
      agent_id: 'default',
      provider: 'openai',
      model: 'gpt-5-mini',
      model_source: 'fallback_model',
      input_tokens: 100,
      input_uncached_tokens: 80,
      input_cache_read_tokens: 20,
      output_tokens: 30,
      reasoning_tokens: 8,
      total_tokens: 130,
      priced: true,
      cost_usd: 0.0000805,
    };
    expect(usageEvents[0]!.data).toEqual(expect.objectContaining(expected));
    expect(usageEvents[0]!.data.pricing.line_items).toHaveLength(6);
    expect(usageEvents[0]!.data.budget).toBeUndefined();
    const done = events.find((event) => event.event === 'done')!.data;
    expect(done.usage).toEqual(
      expect.objectContaining({ ...expected, schema_version: 2, trigger_type: 'chat', session_id: sessionId }),
    );

    const stored = await records(fixture);
    expect(
      stored.map((record) => [record.trigger_type, record.session_id, record.total_tokens, record.cost_usd]),
    ).toEqual([
      ['title', sessionId, 46, (40 * 0.25 + 6 * 2.0) / 1e6],
      ['chat', sessionId, 130, 0.0000805],
    ]);
    expect(stored[1]).toEqual(
      expect.objectContaining({ ...expected, run_id: done.run_id, usage_source: 'usage_metadata' }),
    );
  });

  it("reads DeepSeek's raw cache hit/miss counts that LangChain keeps in response_metadata", async () => {
    await using fixture = await startChatFixture({ env: { LLM_MODEL: 'deepseek-chat' } });
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      {
        kind: 'text',
        text: 'Cached.',
        usage: {
          prompt_tokens: 260,
          completion_tokens: 44,
          prompt_cache_hit_tokens: 200,
          prompt_cache_miss_tokens: 60,
        },
      },
      { kind: 'text', text: 'Title' },
    );
    const events = await readSse(await fixture.chat({ message: 'hello', session_id: sessionId }));
    const done = events.find((event) => event.event === 'done')!.data;
    expect(done.usage).toEqual(
      expect.objectContaining({
        provider: 'deepseek',
        input_tokens: 260,
        input_cache_read_tokens: 200,
        input_uncached_tokens: 60,
        output_tokens: 44,
        total_tokens: 304,
      }),
    );
    expect(done.usage.cost_usd).toBe(Math.round(((60 * 0.28 + 200 * 0.028 + 44 * 0.42) / 1e6) * 1e8) / 1e8);
  });

  it('adds up the model calls of a tool loop once each', async () => {
    await using fixture = await startChatFixture({
      env: { LLM_MODEL: 'gpt-4o-mini' },
      overrides: { toolDefinitions: [echoTool] },
    });
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      {
        kind: 'tool_calls',
        calls: [{ name: 'echo', args: { text: 'ping' } }],
        usage: { prompt_tokens: 50, completion_tokens: 10 },
      },
      { kind: 'text', text: 'Done.', usage: { prompt_tokens: 70, completion_tokens: 20 } },
      { kind: 'text', text: 'Echo test' },
    );
    const events = await readSse(await fixture.chat({ message: 'Use the tool', session_id: sessionId }));
    const done = events.find((event) => event.event === 'done')!.data;
    expect(done.usage).toEqual(
      expect.objectContaining({
        input_tokens: 120,
        output_tokens: 30,
        total_tokens: 150,
        cost_usd: (120 * 0.15 + 30 * 0.6) / 1e6,
      }),
    );
    const chat = (await records(fixture, '?trigger_type=chat'))[0];
    expect(chat).toEqual(expect.objectContaining({ input_tokens: 120, output_tokens: 30, total_tokens: 150 }));
  });

  it('records cron runs, non-stream turns and compression calls under their trigger; an unknown model stays unpriced', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    await fixture.server.deps.chat.runOnce('default', sessionId, 'scheduled work', {
      trigger: 'cron',
      skipTitle: true,
    });
    const response = await fixture.server.json('POST', '/api/chat', {
      message: 'second',
      session_id: sessionId,
      stream: false,
    });
    expect(response.body.data.usage).toEqual(
      expect.objectContaining({ trigger_type: 'chat', priced: false, cost_usd: null }),
    );
    expect(response.body.data.usage.pricing.unpriced_reason).toBe('model_not_in_catalog');
    fixture.model.enqueue({ kind: 'text', text: 'A summary.', usage: { prompt_tokens: 300, completion_tokens: 12 } });
    expect((await fixture.server.json('POST', `/api/sessions/${sessionId}/compress`)).status).toBe(200);
    const stored = await records(fixture);
    expect(stored.map((record) => [record.trigger_type, record.total_tokens, record.priced])).toEqual([
      ['compress', 312, false],
      ['chat', 15, false],
      ['cron', 15, false],
    ]);
    const summary = (await fixture.server.json('GET', '/api/usage/summary')).body.data.totals;
    expect(summary).toEqual(expect.objectContaining({ runs: 3, priced_runs: 0, unpriced_runs: 3, cost_usd: 0 }));
  });

  it('prices a model the catalog lacks from usage.pricing_overrides', async () => {
    await using fixture = await startChatFixture();
    await fixture.server.json('PUT', '/api/config/runtime', {
      config: { usage: { pricing_overrides: { 'fake-model': { input: 1, output: 2 } } } },
    });
    const sessionId = await fixture.newSession();
    await fixture.server.json('POST', '/api/chat', { message: 'hi', session_id: sessionId, stream: false });
    const chat = (await records(fixture, '?trigger_type=chat'))[0];
    expect(chat).toEqual(expect.objectContaining({ priced: true, cost_usd: (10 * 1 + 5 * 2) / 1e6 }));
    expect(chat.pricing.source).toBe('runtime_config.usage.pricing_overrides');
  });
});
