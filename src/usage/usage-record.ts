// Token counts of a run: the record shape, provider inference, and accumulation across a run's model calls.

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

/** The columns of a stored usage record, in the order both adapters write them. */
export const USAGE_RECORD_COLUMNS = [
  'timestamp_ms',
  'agent_id',
  'provider',
  'model',
  'trigger_type',
  'run_id',
  'session_id',
  'model_source',
  'usage_source',
  ...TOKEN_FIELDS,
  'priced',
  'cost_usd',
  'pricing',
  'estimated',
] as const;
export type TokenCounts = Record<TokenField, number>;

export interface UsageIdentity {
  agent_id: string;
  provider: string;
  model: string;
  model_source: string;
  usage_source: string;
}

/** What a run's usage is before pricing: identity, trigger and counts. */
export interface UnpricedUsage extends UsageIdentity, TokenCounts {
  schema_version: 2;
  trigger_type: string;
  run_id: string;
  session_id: string;
  /** True when some counts are the server's own estimate (a model stream that ended early reports no usage); absent means false. */
  estimated?: boolean;
}

/** The cost fields pricing adds (contract §12.4). */
export interface PricedFields {
  priced: boolean;
  cost_usd: number | null;
  pricing: Record<string, unknown>;
}

/** The usage record of one run (contract §12.1); `timestamp_ms` is added when it is stored. */
export interface UsageRecord extends UnpricedUsage, PricedFields {
  estimated: boolean;
}

export const KNOWN_PROVIDERS = ['openai', 'anthropic', 'google', 'deepseek'] as const;

export const zeroCounts = (): TokenCounts => Object.fromEntries(TOKEN_FIELDS.map((field) => [field, 0])) as TokenCounts;

export const isKnownProvider = (value: string): boolean => (KNOWN_PROVIDERS as readonly string[]).includes(value);

const MODEL_PREFIXES: [string, readonly string[]][] = [
  ['openai', ['openai', 'gpt-', 'o1', 'o3', 'o4']],
  ['anthropic', ['anthropic', 'claude-']],
  ['google', ['google', 'gemini-']],
  ['deepseek', ['deepseek']],
];

/**
 * The provider of a model (contract §12.4): a known `<provider>/` or `<provider>:` head, then model-name
 * prefixes, then the base URL, else `unknown`.
 */
export function inferProvider(model: string, baseUrl: string): string {
  const id = model.trim().toLowerCase();
  const head = /^([a-z0-9_-]+)[/:]/.exec(id)?.[1];
  if (head && isKnownProvider(head)) return head;
  for (const [provider, prefixes] of MODEL_PREFIXES)
    if (prefixes.some((prefix) => id.startsWith(prefix))) return provider;
  const url = baseUrl.toLowerCase();
  for (const [needle, provider] of [
    ['deepseek', 'deepseek'],
    ['anthropic', 'anthropic'],
    ['google', 'google'],
    ['vertex', 'google'],
    ['openai', 'openai'],
  ] as const) {
    if (url.includes(needle)) return provider;
  }
  return 'unknown';
}

/** Input derived from its parts when missing, uncached derived and capped, total at least input + output + tool input. */
export function normalizeCounts(counts: TokenCounts): TokenCounts {
  const writes =
    counts.input_cache_write_tokens_5m + counts.input_cache_write_tokens_1h + counts.input_cache_write_tokens_unknown;
  if (counts.input_tokens === 0)
    counts.input_tokens = counts.input_uncached_tokens + counts.input_cache_read_tokens + writes;
  if (counts.input_uncached_tokens === 0)
    counts.input_uncached_tokens = Math.max(0, counts.input_tokens - counts.input_cache_read_tokens - writes);
  counts.input_uncached_tokens = Math.min(counts.input_uncached_tokens, counts.input_tokens);
  // Reasoning tokens are part of output_tokens everywhere (extraction folds Gemini's thoughts in), so they are never added again.
  counts.total_tokens = Math.max(
    counts.total_tokens,
    counts.input_tokens + counts.output_tokens + counts.tool_input_tokens,
  );
  return counts;
}

/** One model call's usage, as read by `extractCallUsage`. */
export interface CallUsage {
  counts: TokenCounts;
  provider: string;
  /** The model the response named, or null when it named none. */
  model: string | null;
  usage_source: string;
}

const bareModel = (model: string) =>
  model
    .trim()
    .toLowerCase()
    .replace(/^(openai|anthropic|google|deepseek)[/:]/, '');

/** True when `reported` names the same model as `configured`: equal, or a dated snapshot of it (`gpt-5-mini-2025-08-07`). */
export function isSameModel(configured: string, reported: string): boolean {
  const a = bareModel(configured);
  const b = bareModel(reported);
  return a === b || b.startsWith(`${a}-`) || a.startsWith(`${b}-`);
}

/**
 * Sums counts over a run's model calls. Each call is a source; a source seen again (a replay) only adds
 * what grew, so nothing is counted twice, while distinct calls add up. Identity: the configured model
 * label stays (`model_source: fallback_model`); a call naming another provider or model makes it `mixed`.
 */
export class UsageAccumulator {
  private readonly perSource = new Map<string, TokenCounts>();
  readonly totals: TokenCounts = zeroCounts();
  /** Whether any call's counts were estimated rather than reported by the provider. */
  estimated = false;
  readonly identity: Omit<UsageIdentity, 'agent_id'>;

  constructor(model: string, baseUrl: string) {
    this.identity = {
      provider: inferProvider(model, baseUrl),
      model,
      model_source: 'fallback_model',
      usage_source: 'unknown',
    };
  }

  /** Folds in one call's usage; returns true when the totals changed. */
  add(source: string, call: CallUsage): boolean {
    const seen = this.perSource.get(source) ?? zeroCounts();
    let changed = false;
    for (const field of TOKEN_FIELDS) {
      const increase = call.counts[field] - seen[field];
      if (increase > 0) {
        this.totals[field] += increase;
        seen[field] = call.counts[field];
        changed = true;
      }
    }
    this.perSource.set(source, seen);
    this.mergeIdentity(call);
    if (changed) normalizeCounts(this.totals);
    return changed;
  }

  /** Folds in counts the server estimated for a call the provider reported nothing for; marks the totals estimated. */
  addEstimate(source: string, counts: Partial<TokenCounts>): boolean {
    this.estimated = true;
    return this.add(source, {
      counts: normalizeCounts({ ...zeroCounts(), ...counts }),
      provider: 'unknown',
      model: null,
      usage_source: 'unknown',
    });
  }

  private mergeIdentity(call: CallUsage): void {
    const identity = this.identity;
    if (identity.usage_source === 'unknown' && call.usage_source !== 'unknown')
      identity.usage_source = call.usage_source;
    if (identity.provider === 'unknown') identity.provider = call.provider;
    else if (call.provider !== 'unknown' && call.provider !== identity.provider) identity.provider = 'mixed';
    if (call.model && identity.model !== 'mixed' && !isSameModel(identity.model, call.model)) identity.model = 'mixed';
  }
}
