import { describe, expect, it } from 'bun:test';
import catalogJson from '../../assets/pricing.json' with { type: 'json' };
import { priceUsage } from './price-usage';
import { builtinCatalog, findPrice, OVERRIDE_SOURCE, withOverrides } from './pricing-catalog';
import { zeroCounts, type TokenCounts } from './usage-record';

// Contract §12.5, copied by hand: provider, key, input, output, cache read, cache write 5m, cache write 1h.
const TABLE: [string, string, number, number, number, number | null, number | null][] = [
  ['openai', 'gpt-5', 1.25, 10.0, 0.125, null, null],
  ['openai', 'gpt-5-mini', 0.25, 2.0, 0.025, null, null],
  ['openai', 'gpt-5-nano', 0.05, 0.4, 0.005, null, null],
  ['openai', 'gpt-4.1', 2.0, 8.0, 0.5, null, null],
  ['openai', 'gpt-4.1-mini', 0.4, 1.6, 0.1, null, null],
  ['openai', 'gpt-4.1-nano', 0.1, 0.4, 0.025, null, null],
  ['openai', 'gpt-4o', 2.5, 10.0, 1.25, null, null],
  ['openai', 'gpt-4o-mini', 0.15, 0.6, 0.075, null, null],
  ['anthropic', 'claude-opus-4-1', 15.0, 75.0, 1.5, 18.75, 30.0],
  ['anthropic', 'claude-opus-4', 15.0, 75.0, 1.5, 18.75, 30.0],
  ['anthropic', 'claude-sonnet-4', 3.0, 15.0, 0.3, 3.75, 6.0],
  ['anthropic', 'claude-sonnet-3-7', 3.0, 15.0, 0.3, 3.75, 6.0],
  ['anthropic', 'claude-haiku-3-5', 0.8, 4.0, 0.08, 1.0, 1.6],
  ['anthropic', 'claude-haiku-3', 0.25, 1.25, 0.025, 0.3125, 0.5],
  ['google', 'gemini-2.5-pro', 1.25, 10.0, 0.125, null, null],
  ['google', 'gemini-2.5-flash', 0.3, 2.5, 0.03, null, null],
  ['google', 'gemini-2.5-flash-lite', 0.1, 0.4, 0.01, null, null],
  ['deepseek', 'deepseek-chat', 0.28, 0.42, 0.028, null, null],
  ['deepseek', 'deepseek-reasoner', 0.28, 0.42, 0.028, null, null],
];

const counts = (values: Partial<TokenCounts>): TokenCounts => {
  const result = { ...zeroCounts(), ...values };
  if (!values.input_tokens) {
    result.input_tokens =
      result.input_uncached_tokens +
      result.input_cache_read_tokens +
      result.input_cache_write_tokens_5m +
      result.input_cache_write_tokens_1h +
      result.input_cache_write_tokens_unknown;
  }
  result.total_tokens = result.input_tokens + result.output_tokens;
  return result;
};
const catalog = builtinCatalog();

describe('pricing catalog', () => {
  it('holds exactly the contract table, with its version and sources', () => {
    const listed = Object.entries(catalogJson.providers).flatMap(([provider, list]) =>
      list.models.map((model) => `${provider}/${model.key}`),
    );
    expect(listed).toEqual(TABLE.map(([provider, key]) => `${provider}/${key}`));
    expect(catalog.version).toBe('2026-02-28');
    expect(catalogJson.providers.openai.source).toBe('openai-pricing-2026-02-28');
  });

  for (const [provider, key, input, output, cacheRead, write5m, write1h] of TABLE) {
    it(`prices ${provider}/${key} line by line`, () => {
      const usage = counts({
        input_uncached_tokens: 1000,
        input_cache_read_tokens: 200,
        input_cache_write_tokens_5m: write5m === null ? 0 : 100,
        input_cache_write_tokens_1h: write1h === null ? 0 : 50,
        output_tokens: 500,
      });
      const pricing = priceUsage(catalog, provider, key, usage);
      const expected =
        (1000 * input +
          200 * cacheRead +
          (write5m === null ? 0 : 100 * write5m) +
          (write1h === null ? 0 : 50 * write1h) +
          500 * output) /
        1e6;
      expect(pricing.priced).toBe(true);
      expect(pricing.model_key).toBe(key);
      expect(pricing.total_cost_usd!).toBeCloseTo(expected, 12);
      expect(pricing.line_items.map((item) => item.rate_usd_per_1m)).toEqual([
        input,
        cacheRead,
        write5m,
        write1h,
        null,
        output,
      ]);
      // A dated snapshot id bills as its own entry, never as a shorter sibling.
      expect(findPrice(catalog, provider, `${key}-2025-08-07`)?.modelKey).toBe(key);
    });
  }
});

describe('priceUsage', () => {
  it('gives the worked example of the contract: gpt-5-mini 80 uncached + 20 cache read + 30 output = $0.0000805', () => {
    const pricing = priceUsage(
      catalog,
      'openai',
      'gpt-5-mini',
      counts({ input_uncached_tokens: 80, input_cache_read_tokens: 20, output_tokens: 30 }),
    );
    expect(pricing).toEqual({
      provider: 'openai',
      model: 'gpt-5-mini',
      model_key: 'gpt-5-mini',
      priced: true,
      currency: 'USD',
      source: 'openai-pricing-2026-02-28',
      catalog_version: '2026-02-28',
      long_context_applied: false,
      line_items: [
        { kind: 'input_uncached', tokens: 80, rate_usd_per_1m: 0.25, cost_usd: 0.00002 },
        { kind: 'input_cache_read', tokens: 20, rate_usd_per_1m: 0.025, cost_usd: 0.0000005 },
        { kind: 'input_cache_write_5m', tokens: 0, rate_usd_per_1m: null, cost_usd: null },
        { kind: 'input_cache_write_1h', tokens: 0, rate_usd_per_1m: null, cost_usd: null },
        { kind: 'input_cache_write_unknown', tokens: 0, rate_usd_per_1m: null, cost_usd: null },
        { kind: 'output', tokens: 30, rate_usd_per_1m: 2.0, cost_usd: 0.00006 },
      ],
      total_cost_usd: 0.0000805,
      unpriced_reason: null,
    });
  });

  it('bills a dated gpt-5-mini id at gpt-5-mini rates, not gpt-5 (the first-prefix bug of the original)', () => {
    for (const [model, key] of [
      ['gpt-5-mini-2025-08-07', 'gpt-5-mini'],
      ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
      ['gpt-4.1-mini-2025-04-14', 'gpt-4.1-mini'],
      ['gemini-2.5-flash-lite-preview-06-17', 'gemini-2.5-flash-lite'],
      ['gpt-5-2025-08-07', 'gpt-5'],
    ] as const) {
      expect(findPrice(catalog, inferredProvider(model), model)?.modelKey).toBe(key);
    }
    const pricing = priceUsage(
      catalog,
      'openai',
      'gpt-5-mini-2025-08-07',
      counts({ input_uncached_tokens: 1_000_000 }),
    );
    expect(pricing.total_cost_usd).toBe(0.25);
  });

  it('matches real Anthropic ids through aliases and drops a provider head', () => {
    expect(findPrice(catalog, 'anthropic', 'claude-3-5-haiku-20241022')?.modelKey).toBe('claude-haiku-3-5');
    expect(findPrice(catalog, 'anthropic', 'claude-3-7-sonnet-20250219')?.modelKey).toBe('claude-sonnet-3-7');
    expect(findPrice(catalog, 'anthropic', 'claude-3-haiku-20240307')?.modelKey).toBe('claude-haiku-3');
    expect(findPrice(catalog, 'anthropic', 'claude-opus-4-1-20250805')?.modelKey).toBe('claude-opus-4-1');
    expect(findPrice(catalog, 'openai', 'openai/gpt-4o-mini')?.modelKey).toBe('gpt-4o-mini');
    expect(findPrice(catalog, 'openai', 'gpt-4omega')).toBeNull();
  });

  it('leaves an unknown model unpriced with a null cost and a reason, never $0', () => {
    const pricing = priceUsage(
      catalog,
      'google',
      'gemini-9-ultra',
      counts({ input_uncached_tokens: 10, output_tokens: 5 }),
    );
    expect(pricing).toEqual(
      expect.objectContaining({
        priced: false,
        model_key: null,
        source: 'unpriced',
        total_cost_usd: null,
        unpriced_reason: 'model_not_in_catalog',
        long_context_applied: false,
      }),
    );
    expect(pricing.line_items.every((item) => item.rate_usd_per_1m === null && item.cost_usd === null)).toBe(true);
    expect(priceUsage(catalog, 'unknown', 'fake-model', counts({ output_tokens: 5 })).unpriced_reason).toBe(
      'model_not_in_catalog',
    );
  });

  it('prices cache reads and 5m / 1h writes as their own line items, and refuses writes of unknown TTL', () => {
    const usage = counts({
      input_uncached_tokens: 21,
      input_cache_read_tokens: 100,
      input_cache_write_tokens_5m: 1000,
      input_cache_write_tokens_1h: 2000,
      output_tokens: 50,
    });
    const pricing = priceUsage(catalog, 'anthropic', 'claude-sonnet-4-20250514', usage);
    expect(pricing.line_items.map((item) => [item.kind, item.tokens, item.cost_usd])).toEqual([
      ['input_uncached', 21, 0.000063],
      ['input_cache_read', 100, 0.00003],
      ['input_cache_write_5m', 1000, 0.00375],
      ['input_cache_write_1h', 2000, 0.012],
      ['input_cache_write_unknown', 0, null],
      ['output', 50, 0.00075],
    ]);
    expect(pricing.total_cost_usd).toBe(0.016593);
    const unknownTtl = priceUsage(
      catalog,
      'anthropic',
      'claude-sonnet-4',
      counts({ input_uncached_tokens: 21, input_cache_read_tokens: 100, input_cache_write_tokens_unknown: 188_086 }),
    );
    expect(unknownTtl).toEqual(
      expect.objectContaining({
        priced: false,
        total_cost_usd: null,
        unpriced_reason: 'cache_write_ttl_unknown,rate_missing_for_input_cache_write_unknown',
      }),
    );
    const openAiWrite = priceUsage(
      catalog,
      'openai',
      'gpt-4o',
      counts({ input_uncached_tokens: 10, input_cache_write_tokens_5m: 10 }),
    );
    expect(openAiWrite.unpriced_reason).toBe('cache_write_5m_rate_missing,rate_missing_for_input_cache_write_5m');
  });

  it('applies long-context rates above the threshold, falling back to normal cache rates where the catalog has none', () => {
    const sonnet = priceUsage(
      catalog,
      'anthropic',
      'claude-sonnet-4',
      counts({ input_uncached_tokens: 250_000, output_tokens: 1000 }),
    );
    expect(sonnet.long_context_applied).toBe(true);
    expect(sonnet.total_cost_usd).toBe((250_000 * 6.0 + 1000 * 22.5) / 1e6);
    const atThreshold = priceUsage(catalog, 'anthropic', 'claude-sonnet-4', counts({ input_uncached_tokens: 200_000 }));
    expect(atThreshold.long_context_applied).toBe(false);
    const gemini = priceUsage(
      catalog,
      'google',
      'gemini-2.5-pro',
      counts({ input_uncached_tokens: 190_000, input_cache_read_tokens: 20_000, output_tokens: 100 }),
    );
    expect(gemini.line_items.map((item) => item.rate_usd_per_1m)).toEqual([2.5, 0.25, null, null, null, 15.0]);
  });

  it('takes operator overrides: new models, replaced prices, and provider-limited entries', () => {
    const overridden = withOverrides(catalog, {
      'fake-model': { input: 1, output: 2 },
      'gpt-5-mini': { input: 0.5, output: 4, cache_read: 0.05 },
      'deepseek-chat': { provider: 'openai', input: 9, output: 9 },
    });
    const fake = priceUsage(
      overridden,
      'unknown',
      'fake-model',
      counts({ input_uncached_tokens: 1_000_000, output_tokens: 1_000_000 }),
    );
    expect(fake).toEqual(
      expect.objectContaining({ priced: true, total_cost_usd: 3, source: OVERRIDE_SOURCE, model_key: 'fake-model' }),
    );
    expect(
      priceUsage(overridden, 'openai', 'gpt-5-mini-2025-08-07', counts({ input_uncached_tokens: 1_000_000 }))
        .total_cost_usd,
    ).toBe(0.5);
    expect(priceUsage(overridden, 'openai', 'gpt-5', counts({ input_uncached_tokens: 1_000_000 })).total_cost_usd).toBe(
      1.25,
    );
    expect(
      priceUsage(overridden, 'deepseek', 'deepseek-chat', counts({ input_uncached_tokens: 1_000_000 })).total_cost_usd,
    ).toBe(0.28);
  });
});

function inferredProvider(model: string): string {
  return model.startsWith('gemini') ? 'google' : 'openai';
}
