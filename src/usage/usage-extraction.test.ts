import { describe, expect, it } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeUsageRecord } from './record-usage';
import { extractCallUsage, tokenCount } from './usage-extraction';
import { inferProvider, UsageAccumulator, zeroCounts, type CallUsage } from './usage-record';

const FIXTURES = join(import.meta.dir, '../../test/fixtures/usage');
const fixtureNames = readdirSync(FIXTURES).filter((name) => name.endsWith('.json'));

describe('extractCallUsage', () => {
  it('has a fixture for every provider shape', () => {
    expect(fixtureNames.sort()).toEqual([
      'anthropic-cache-ttl.json',
      'anthropic-messages.json',
      'deepseek-hit-miss-only.json',
      'deepseek-streamed.json',
      'deepseek.json',
      'google-gemini.json',
      'langchain-usage-metadata.json',
      'openai-chat-completions.json',
      'openai-responses.json',
    ]);
  });

  for (const name of fixtureNames) {
    it(`reads ${name}`, () => {
      const fixture = JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
      const call = extractCallUsage(fixture.message, fixture.fallback_model, 'http://127.0.0.1:9/v1')!;
      const { provider, model, usage_source, ...expectedCounts } = fixture.expected;
      expect(call.counts).toEqual({ ...zeroCounts(), ...expectedCounts });
      expect(call.provider).toBe(provider);
      if (model !== undefined) expect(call.model).toBe(model);
      if (usage_source !== undefined) expect(call.usage_source).toBe(usage_source);
    });
  }

  it('finds a usage block in each place a provider puts one, alone in its message', () => {
    const block = { prompt_tokens: 3, completion_tokens: 2 };
    const places: [string, Record<string, unknown>][] = [
      ['usage_metadata', { usage_metadata: block, response_metadata: { usage: {} } }],
      ...['token_usage', 'tokenUsage', 'usage', 'usage_metadata', 'usageMetadata'].map(
        (key): [string, Record<string, unknown>] => [
          `response_metadata.${key}`,
          { response_metadata: { [key]: block } },
        ],
      ),
      ...['raw_usage', 'llm_output'].map((key): [string, Record<string, unknown>] => [
        `response_metadata.${key}.usage`,
        { response_metadata: { [key]: { usage: block } } },
      ]),
    ];
    for (const [source, message] of places) {
      const call = extractCallUsage({ content: 'hi', ...message }, 'gpt-4o', '');
      expect({ source: call?.usage_source, total: call?.counts.total_tokens }).toEqual({ source, total: 5 });
    }
  });

  it('returns null for a message without counts', () => {
    expect(extractCallUsage({ content: 'hi', response_metadata: { model_name: 'gpt-4o' } }, 'gpt-4o', '')).toBeNull();
    expect(extractCallUsage({ usage_metadata: { input_tokens: 0, output_tokens: 0 } }, 'gpt-4o', '')).toBeNull();
    expect(extractCallUsage('text', 'gpt-4o', '')).toBeNull();
  });

  it('takes an explicit provider from the metadata, but not LangChain model_provider (always "openai" for ChatOpenAI)', () => {
    const usage = { usage_metadata: { input_tokens: 1, output_tokens: 1 } };
    expect(extractCallUsage({ ...usage, response_metadata: { provider: 'Anthropic' } }, 'x', '')!.provider).toBe(
      'anthropic',
    );
    expect(
      extractCallUsage({ ...usage, response_metadata: { model_provider: 'openai' } }, 'deepseek-chat', '')!.provider,
    ).toBe('deepseek');
  });
});

describe('inferProvider', () => {
  it('reads a known provider head, then model prefixes, then the base URL', () => {
    expect(inferProvider('anthropic/claude-x', '')).toBe('anthropic');
    expect(inferProvider('meta-llama/llama-3', '')).toBe('unknown');
    expect(inferProvider('gpt-4o', '')).toBe('openai');
    expect(inferProvider('o3-mini', '')).toBe('openai');
    expect(inferProvider('claude-3-5-haiku', '')).toBe('anthropic');
    expect(inferProvider('gemini-2.5-pro', '')).toBe('google');
    expect(inferProvider('deepseek-chat', '')).toBe('deepseek');
    expect(inferProvider('my-model', 'https://api.deepseek.com')).toBe('deepseek');
    expect(inferProvider('my-model', 'https://europe-west1-aiplatform.googleapis.com/vertex')).toBe('google');
    expect(inferProvider('my-model', 'http://127.0.0.1:8000/v1')).toBe('unknown');
  });
});

const call = (input: number, output: number, extra: Partial<CallUsage> = {}): CallUsage => ({
  counts: {
    ...zeroCounts(),
    input_tokens: input,
    input_uncached_tokens: input,
    output_tokens: output,
    total_tokens: input + output,
  },
  provider: 'openai',
  model: 'gpt-4o',
  usage_source: 'usage_metadata',
  ...extra,
});

describe('UsageAccumulator', () => {
  it('does not count a replayed call twice and adds a distinct call with the same numbers (200 in / 20 out / 220)', () => {
    const usage = new UsageAccumulator('gpt-4o', '');
    expect(usage.add('run:0', call(100, 10))).toBe(true);
    expect(usage.add('run:0', call(100, 10))).toBe(false);
    expect(usage.totals.input_tokens).toBe(100);
    expect(usage.add('run:1', call(100, 10))).toBe(true);
    expect(usage.totals).toEqual(
      expect.objectContaining({ input_tokens: 200, input_uncached_tokens: 200, output_tokens: 20, total_tokens: 220 }),
    );
    expect(usage.identity).toEqual({
      provider: 'openai',
      model: 'gpt-4o',
      model_source: 'fallback_model',
      usage_source: 'usage_metadata',
    });
  });

  it('adds only what grew when a call is seen again with larger counts (stream chunk, then final message)', () => {
    const usage = new UsageAccumulator('gpt-4o', '');
    usage.add('run:0', call(100, 4));
    usage.add('run:0', call(100, 10));
    expect(usage.totals.output_tokens).toBe(10);
    expect(usage.totals.total_tokens).toBe(110);
  });

  it('keeps the configured model for a dated snapshot and marks other models and providers as mixed', () => {
    const dated = new UsageAccumulator('gpt-5-mini', '');
    dated.add('a', call(1, 1, { model: 'gpt-5-mini-2025-08-07' }));
    expect(dated.identity.model).toBe('gpt-5-mini');
    const mixed = new UsageAccumulator('gpt-5-mini', '');
    mixed.add('a', call(1, 1, { model: 'gpt-4o' }));
    mixed.add('b', call(1, 1, { provider: 'anthropic', model: null }));
    expect(mixed.identity).toEqual(expect.objectContaining({ model: 'mixed', provider: 'mixed' }));
  });

  it('marks the totals estimated once a server estimate is folded in, which adds like any call', () => {
    const usage = new UsageAccumulator('gpt-4o', '');
    usage.add('run:0', call(100, 10));
    expect(usage.estimated).toBe(false);
    expect(usage.addEstimate('run:1', { input_tokens: 50, output_tokens: 3 })).toBe(true);
    expect(usage.estimated).toBe(true);
    expect(usage.totals).toEqual(
      expect.objectContaining({ input_tokens: 150, input_uncached_tokens: 150, output_tokens: 13, total_tokens: 163 }),
    );
    expect(usage.identity).toEqual({
      provider: 'openai',
      model: 'gpt-4o',
      model_source: 'fallback_model',
      usage_source: 'usage_metadata',
    });
  });

  it('never adds reasoning to the total: it is already part of output', () => {
    const usage = new UsageAccumulator('o3', '');
    usage.add('a', { ...call(100, 30), counts: { ...call(100, 30).counts, reasoning_tokens: 8, total_tokens: 130 } });
    expect(usage.totals.total_tokens).toBe(130);
  });
});

describe('normalizeUsageRecord', () => {
  it('reshapes loose input into the contract field set', () => {
    const record = normalizeUsageRecord({
      provider: ' DeepSeek ',
      model: '  ',
      trigger_type: 'CRON',
      session_id: ' s1 ',
      input_tokens: '1,200',
      input_cache_read_tokens: 200,
      output_tokens: -5,
      total_tokens: 'junk',
      priced: 'yes',
      cost_usd: '0.123456789',
    });
    expect(record).toEqual(
      expect.objectContaining({
        schema_version: 2,
        agent_id: 'default',
        provider: 'deepseek',
        model: 'unknown',
        trigger_type: 'cron',
        session_id: 's1',
        model_source: 'unknown',
        usage_source: 'unknown',
        input_tokens: 1200,
        input_uncached_tokens: 1000,
        input_cache_read_tokens: 200,
        output_tokens: 0,
        total_tokens: 1200,
        estimated: false,
        priced: true,
        cost_usd: 0.12345679,
        pricing: {},
      }),
    );
    expect(
      [true, 1, 'true', false, 0, 'yes', undefined].map((estimated) => normalizeUsageRecord({ estimated }).estimated),
    ).toEqual([true, true, true, false, false, false, false]);
    expect(normalizeUsageRecord({ priced: '0', cost_usd: 1 })).toEqual(
      expect.objectContaining({ priced: false, cost_usd: null }),
    );
    expect(normalizeUsageRecord({ pricing: { priced: true, total_cost_usd: 0.5 } })).toEqual(
      expect.objectContaining({ priced: true, cost_usd: 0.5 }),
    );
  });

  it('coerces token counts: numbers, numeric strings with commas; junk is 0', () => {
    expect([
      tokenCount(3.9),
      tokenCount('1,234'),
      tokenCount('x'),
      tokenCount(null),
      tokenCount(-1),
      tokenCount(Infinity),
      tokenCount(1e300),
      tokenCount(1_000_000_000),
    ]).toEqual([3, 1234, 0, 0, 0, 0, 0, 1_000_000_000]);
  });

  it('keeps cache reads within input and reasoning within output, whatever a provider claims', () => {
    const usage = extractCallUsage(
      {
        response_metadata: {
          usage: {
            prompt_tokens: 10,
            completion_tokens: 5,
            prompt_tokens_details: { cached_tokens: 1e6 },
            completion_tokens_details: { reasoning_tokens: 50 },
          },
        },
      },
      'gpt-4o',
      'https://api.openai.com/v1',
    );
    expect(usage?.counts).toEqual(
      expect.objectContaining({ input_tokens: 10, input_cache_read_tokens: 10, output_tokens: 5, reasoning_tokens: 5 }),
    );
  });
});
