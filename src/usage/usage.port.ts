// The usage domain's storage port: the ledger of model runs and the sums over it, per agent.
import type { TokenCounts, UsageRecord } from './usage-record';

export const HOUR_MS = 3_600_000;

export type StoredUsageRecord = UsageRecord & { timestamp_ms: number };

/** Filters of the usage queries; absent strings match everything. */
export interface UsageFilters {
  sinceMs: number;
  /** Matched lower-cased. */
  provider?: string;
  /** Matched case-insensitively. */
  model?: string;
  /** Matched lower-cased. */
  triggerType?: string;
  sessionId?: string;
}

/** Sums over a set of records. `cost_usd` adds only priced runs; unpriced runs are counted, not valued. */
export interface UsageCounters extends TokenCounts {
  runs: number;
  priced_runs: number;
  unpriced_runs: number;
  cost_usd: number;
}

export interface UsageStore {
  /** Stores a run's record with its timestamp. */
  insert(record: UsageRecord, timestampMs: number): Promise<void>;
  /** Newest first (ties: the later stored first), at most `limit`. */
  records(filters: UsageFilters, limit: number): Promise<StoredUsageRecord[]>;
  /** Counters per provider and model, exact for any `sinceMs` (costs summed to 1e-8 USD). */
  byProviderModel(filters: UsageFilters): Promise<(UsageCounters & { provider: string; model: string })[]>;
  /** Counters per UTC hour or UTC day (`start_ms`), oldest first; periods without records are absent. */
  byPeriod(filters: UsageFilters, period: 'hour' | 'day'): Promise<(UsageCounters & { start_ms: number })[]>;
}

/** The ports an agent storage bundle carries for the usage domain. */
export interface UsagePorts {
  usage: UsageStore;
}
