// The one way usage is written: normalise (contract §12.2), price (catalog + overrides), store.
import type { ModelPrice } from '../config';
import { priceUsage, pricedFields, roundUsd } from './price-usage';
import { builtinCatalog, withOverrides } from './pricing-catalog';
import { tokenCount } from './usage-extraction';
import { normalizeCounts, TOKEN_FIELDS, zeroCounts, type UnpricedUsage, type UsageRecord } from './usage-record';
import type { StoredUsageRecord, UsageStore } from './usage.port';

const text = (value: unknown, fallback: string) =>
  typeof value === 'string' && value.trim() ? value.trim() : fallback;

/**
 * A record re-shaped into exactly the §12.1 field set plus `estimated` (false unless given as true):
 * provider and trigger lower-cased, model trimmed (`unknown` when blank), token fields coerced to
 * non-negative integers and re-derived, cost null unless priced, else rounded to 8 decimals. Accepts
 * loosely typed input (older or imported rows).
 */
export function normalizeUsageRecord(raw: Record<string, unknown>): UsageRecord {
  const counts = zeroCounts();
  for (const field of TOKEN_FIELDS) counts[field] = tokenCount(raw[field]);
  normalizeCounts(counts);
  const pricing =
    typeof raw.pricing === 'object' && raw.pricing !== null && !Array.isArray(raw.pricing)
      ? (raw.pricing as Record<string, unknown>)
      : {};
  const pricedRaw = raw.priced ?? pricing.priced;
  const priced =
    typeof pricedRaw === 'string'
      ? ['true', '1', 'yes', 'y', 'on'].includes(pricedRaw.trim().toLowerCase())
      : pricedRaw === true || pricedRaw === 1;
  const costRaw = raw.cost_usd ?? pricing.total_cost_usd;
  const cost = typeof costRaw === 'number' ? costRaw : typeof costRaw === 'string' ? Number(costRaw) : Number.NaN;
  const hasCost = priced && Number.isFinite(cost) && cost >= 0;
  return {
    schema_version: 2,
    agent_id: text(raw.agent_id, 'default'),
    provider: text(raw.provider, 'unknown').toLowerCase(),
    model: text(raw.model, 'unknown'),
    trigger_type: text(raw.trigger_type, 'chat').toLowerCase(),
    run_id: text(raw.run_id, ''),
    session_id: text(raw.session_id, ''),
    model_source: text(raw.model_source, 'unknown'),
    usage_source: text(raw.usage_source, 'unknown'),
    ...counts,
    estimated: raw.estimated === true || raw.estimated === 1 || raw.estimated === 'true',
    priced: hasCost,
    cost_usd: hasCost ? roundUsd(cost) : null,
    pricing,
  };
}

export type UsagePricer = (usage: UnpricedUsage) => UsageRecord;

/** Prices records with the embedded catalog plus the operator's `usage.pricing_overrides`. */
export function createUsagePricer(overrides: Readonly<Record<string, ModelPrice>> = {}): UsagePricer {
  const catalog = withOverrides(builtinCatalog(), overrides);
  return (usage) => ({
    ...usage,
    estimated: usage.estimated === true,
    ...pricedFields(priceUsage(catalog, usage.provider, usage.model, usage)),
  });
}

export interface RecordUsageOptions {
  pricingOverrides: Readonly<Record<string, ModelPrice>>;
  nowMs: number;
}

/**
 * Normalises, prices and stores a run's usage. Runs that used no tokens are not stored (returns null).
 * Every writer (chat, cron, heartbeat, titles, compression) goes through here.
 */
export async function recordUsage(
  store: Pick<UsageStore, 'insert'>,
  usage: UnpricedUsage,
  options: RecordUsageOptions,
): Promise<StoredUsageRecord | null> {
  const normalized = normalizeUsageRecord(usage as unknown as Record<string, unknown>);
  if (normalized.total_tokens <= 0) return null;
  const record = createUsagePricer(options.pricingOverrides)(normalized);
  const timestampMs = Math.max(0, Math.floor(options.nowMs));
  await store.insert(record, timestampMs);
  return { ...record, timestamp_ms: timestampMs };
}
