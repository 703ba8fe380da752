// The cost breakdown of a usage record (contract §12.4): six line items, long-context rates, reasons when unpriced.
import { findPrice, type PricingCatalog } from './pricing-catalog';
import type { PricedFields, TokenCounts } from './usage-record';

export type LineKind =
  | 'input_uncached'
  | 'input_cache_read'
  | 'input_cache_write_5m'
  | 'input_cache_write_1h'
  | 'input_cache_write_unknown'
  | 'output';

export interface LineItem {
  kind: LineKind;
  tokens: number;
  rate_usd_per_1m: number | null;
  cost_usd: number | null;
}

export interface Pricing {
  provider: string;
  model: string;
  model_key: string | null;
  priced: boolean;
  currency: 'USD';
  source: string;
  catalog_version: string;
  long_context_applied: boolean;
  line_items: LineItem[];
  total_cost_usd: number | null;
  unpriced_reason: string | null;
}

/** Rounded to 8 decimals, as every stored cost is. */
export const roundUsd = (value: number): number => Math.round(value * 1e8) / 1e8;

const TOKENS_OF: Record<LineKind, (counts: TokenCounts) => number> = {
  input_uncached: (counts) => counts.input_uncached_tokens,
  input_cache_read: (counts) => counts.input_cache_read_tokens,
  input_cache_write_5m: (counts) => counts.input_cache_write_tokens_5m,
  input_cache_write_1h: (counts) => counts.input_cache_write_tokens_1h,
  input_cache_write_unknown: (counts) => counts.input_cache_write_tokens_unknown,
  output: (counts) => counts.output_tokens,
};
const KINDS = Object.keys(TOKENS_OF) as LineKind[];

/**
 * Prices `counts` for a provider and model. Reasoning and tool-input tokens are never billed apart
 * (reasoning is part of output). An unknown model is unpriced with `cost_usd` null, never $0.
 */
export function priceUsage(catalog: PricingCatalog, provider: string, model: string, counts: TokenCounts): Pricing {
  const base = {
    provider: provider.trim().toLowerCase(),
    model,
    currency: 'USD' as const,
    catalog_version: catalog.version,
  };
  const unpriced = (reason: string, modelKey: string | null = null, source = 'unpriced'): Pricing => ({
    ...base,
    model_key: modelKey,
    priced: false,
    source,
    long_context_applied: false,
    line_items: KINDS.map((kind) => ({ kind, tokens: TOKENS_OF[kind](counts), rate_usd_per_1m: null, cost_usd: null })),
    total_cost_usd: null,
    unpriced_reason: reason,
  });
  const match = findPrice(catalog, base.provider, model);
  if (!match) return unpriced('model_not_in_catalog');
  const { entry } = match;
  const long = entry.long_context;
  const longApplied = long !== undefined && counts.input_tokens > long.threshold_tokens;
  if (longApplied && (long.input == null || long.output == null))
    return unpriced('long_context_rates_missing', match.modelKey, entry.source);
  const rates: Record<LineKind, number | null> = {
    input_uncached: (longApplied ? long.input : entry.input) ?? null,
    input_cache_read: (longApplied ? (long.cache_read ?? entry.cache_read) : entry.cache_read) ?? null,
    input_cache_write_5m: (longApplied ? (long.cache_write_5m ?? entry.cache_write_5m) : entry.cache_write_5m) ?? null,
    input_cache_write_1h: (longApplied ? (long.cache_write_1h ?? entry.cache_write_1h) : entry.cache_write_1h) ?? null,
    // A cache write whose TTL is unknown cannot be priced: 5 m and 1 h writes cost different amounts.
    input_cache_write_unknown: null,
    output: (longApplied ? long.output : entry.output) ?? null,
  };
  const lineItems = KINDS.map((kind): LineItem => {
    const tokens = TOKENS_OF[kind](counts);
    const rate = rates[kind];
    return {
      kind,
      tokens,
      rate_usd_per_1m: rate,
      cost_usd: tokens > 0 && rate !== null ? roundUsd((tokens / 1e6) * rate) : null,
    };
  });
  const reasons: string[] = [];
  if (counts.input_cache_read_tokens > 0 && rates.input_cache_read === null) reasons.push('cache_read_rate_missing');
  if (counts.input_cache_write_tokens_5m > 0 && rates.input_cache_write_5m === null)
    reasons.push('cache_write_5m_rate_missing');
  if (counts.input_cache_write_tokens_1h > 0 && rates.input_cache_write_1h === null)
    reasons.push('cache_write_1h_rate_missing');
  if (counts.input_cache_write_tokens_unknown > 0) reasons.push('cache_write_ttl_unknown');
  for (const item of lineItems)
    if (item.tokens > 0 && item.cost_usd === null) reasons.push(`rate_missing_for_${item.kind}`);
  const priced = reasons.length === 0;
  return {
    ...base,
    model_key: match.modelKey,
    priced,
    source: entry.source,
    long_context_applied: longApplied,
    line_items: lineItems,
    total_cost_usd: priced ? roundUsd(lineItems.reduce((sum, item) => sum + (item.cost_usd ?? 0), 0)) : null,
    unpriced_reason: priced ? null : [...new Set(reasons)].join(','),
  };
}

/** The record fields pricing fills in. */
export function pricedFields(pricing: Pricing): PricedFields {
  return {
    priced: pricing.priced,
    cost_usd: pricing.total_cost_usd,
    pricing: pricing as unknown as Record<string, unknown>,
  };
}
