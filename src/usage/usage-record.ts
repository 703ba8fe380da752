// Token counts of a run: extraction from a model message's usage, accumulation across calls, the record shape.

export const TOKEN_FIELDS = [
  'input_tokens',
  'input_uncached_tokens',
  'input_cache_read_tokens',
  'input_cache_write_tokens_5m',
  'input_cache_write_tokens_1h',
  'input_cache_write_tokens_unknown',
  'output_tokens',
  'reasoning_tokens',
  'tool_input_tokens',
  'total_tokens',
] as const;

export type TokenField = (typeof TOKEN_FIELDS)[number];
export type TokenCounts = Record<TokenField, number>;

export interface UsageIdentity {
  agent_id: string;
  provider: string;
  model: string;
  model_source: string;
  usage_source: string;
}

/** The usage record of one run (contract §12.1); `timestamp_ms` is added when it is stored. */
export interface UsageRecord extends UsageIdentity, TokenCounts {
  schema_version: 2;
  trigger_type: string;
  run_id: string;
  session_id: string;
  priced: boolean;
  cost_usd: number | null;
  pricing: Record<string, unknown>;
}

export const zeroCounts = (): TokenCounts => Object.fromEntries(TOKEN_FIELDS.map((field) => [field, 0])) as TokenCounts;

const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0);

/** Counts from LangChain's `usage_metadata` (OpenAI-compatible providers, DeepSeek cache fields included). */
export function countsFromUsageMetadata(usage: Record<string, any> | undefined | null): TokenCounts | null {
  if (!usage) return null;
  const counts = zeroCounts();
  const inputDetails = usage.input_token_details ?? {};
  const outputDetails = usage.output_token_details ?? {};
  counts.input_tokens = num(usage.input_tokens);
  counts.output_tokens = num(usage.output_tokens);
  counts.input_cache_read_tokens = num(inputDetails.cache_read);
  counts.input_cache_write_tokens_unknown = num(inputDetails.cache_creation);
  counts.reasoning_tokens = num(outputDetails.reasoning);
  counts.input_uncached_tokens = Math.max(0, counts.input_tokens - counts.input_cache_read_tokens - counts.input_cache_write_tokens_unknown);
  counts.total_tokens = Math.max(num(usage.total_tokens), counts.input_tokens + counts.output_tokens);
  return counts.total_tokens > 0 ? counts : null;
}

/** Provider name guessed from the model id, then from the base URL. */
export function inferProvider(model: string, baseUrl: string): string {
  const id = model.toLowerCase();
  if (/^(gpt-|o1|o3|o4|openai)/.test(id)) return 'openai';
  if (id.startsWith('claude-')) return 'anthropic';
  if (id.startsWith('gemini-')) return 'google';
  if (id.includes('deepseek')) return 'deepseek';
  const head = /^([a-z0-9_-]+)[/:]/.exec(id)?.[1];
  if (head) return head;
  const url = baseUrl.toLowerCase();
  for (const [needle, provider] of [
    ['openai', 'openai'],
    ['deepseek', 'deepseek'],
    ['anthropic', 'anthropic'],
    ['googleapis', 'google'],
  ] as const) {
    if (url.includes(needle)) return provider;
  }
  return 'unknown';
}

/**
 * Sums counts over a run's model calls. Each call is a source; a source seen again (a replay)
 * only adds what grew, so nothing is counted twice.
 */
export class UsageAccumulator {
  private readonly perSource = new Map<string, TokenCounts>();
  readonly totals: TokenCounts = zeroCounts();

  /** Folds in one call's counts; returns true when the totals changed. */
  add(source: string, counts: TokenCounts): boolean {
    const seen = this.perSource.get(source) ?? zeroCounts();
    let changed = false;
    for (const field of TOKEN_FIELDS) {
      const increase = counts[field] - seen[field];
      if (increase > 0) {
        this.totals[field] += increase;
        seen[field] = counts[field];
        changed = true;
      }
    }
    this.perSource.set(source, seen);
    const floor = this.totals.input_tokens + this.totals.output_tokens + this.totals.tool_input_tokens;
    if (this.totals.total_tokens < floor) this.totals.total_tokens = floor;
    return changed;
  }
}
