// Read models of the usage routes: the summary (contract §12.3) and the time series for charts.
import { roundUsd } from './price-usage';
import { HOUR_MS, type UsageCounters, type UsageFilters, type UsageStore } from './usage.port';
import { TOKEN_FIELDS } from './usage-record';
import { dayWindow, localDate, zonedMidnight } from './zoned-calendar';

const emptyCounters = (): UsageCounters => {
  const counters = { runs: 0, priced_runs: 0, unpriced_runs: 0, cost_usd: 0 } as UsageCounters;
  for (const field of TOKEN_FIELDS) counters[field] = 0;
  return counters;
};

function addInto(target: UsageCounters, row: UsageCounters): void {
  target.runs += row.runs;
  target.priced_runs += row.priced_runs;
  target.unpriced_runs += row.unpriced_runs;
  for (const field of TOKEN_FIELDS) target[field] += row[field];
  target.cost_usd = roundUsd(target.cost_usd + row.cost_usd);
}

const byCostThenTokens = (a: UsageCounters, b: UsageCounters) =>
  b.cost_usd - a.cost_usd || b.total_tokens - a.total_tokens;

export interface UsageSummary {
  totals: UsageCounters;
  by_provider_model: (UsageCounters & { provider: string; model: string })[];
  by_provider: {
    provider: string;
    runs: number;
    priced_runs: number;
    unpriced_runs: number;
    input_tokens: number;
    output_tokens: number;
    total_tokens: number;
    cost_usd: number;
  }[];
  count: number;
}

/** Totals and groups over every matching record (no row cap); groups sorted by cost, then tokens, descending. */
export async function summarizeUsage(
  store: Pick<UsageStore, 'byProviderModel'>,
  filters: UsageFilters,
): Promise<UsageSummary> {
  const groups = (await store.byProviderModel(filters)).map((row) => ({ ...row, cost_usd: roundUsd(row.cost_usd) }));
  const totals = emptyCounters();
  const providers = new Map<string, UsageCounters>();
  for (const row of groups) {
    addInto(totals, row);
    const provider = providers.get(row.provider) ?? emptyCounters();
    addInto(provider, row);
    providers.set(row.provider, provider);
  }
  return {
    totals,
    by_provider_model: groups
      .sort(byCostThenTokens)
      .map(({ provider, model, ...counters }) => ({ provider, model, ...counters })),
    by_provider: [...providers.entries()]
      .map(([provider, row]) => ({ provider, ...row }))
      .sort(byCostThenTokens)
      .map(({ provider, runs, priced_runs, unpriced_runs, input_tokens, output_tokens, total_tokens, cost_usd }) => ({
        provider,
        runs,
        priced_runs,
        unpriced_runs,
        input_tokens,
        output_tokens,
        total_tokens,
        cost_usd,
      })),
    count: totals.runs,
  };
}

export type Bucket = 'hour' | 'day';

/** One bucket of a time series: its start and the counters of the records in it. */
export type UsageBucket = UsageCounters & { start_ms: number; start: string };

const isUtc = (timeZone: string) =>
  ['UTC', 'ETC/UTC', 'GMT', 'ETC/GMT', 'ETC/UCT', 'UCT', 'ZULU', 'ETC/ZULU'].includes(timeZone.toUpperCase());

/**
 * Counters per hour (UTC hours) or per local day in `timeZone`, oldest first, from the bucket holding
 * `filters.sinceMs` to the one holding `nowMs`; empty buckets are included so charts need no gap logic.
 * Day buckets take whole UTC hours, so in zones with a half-hour offset an hour counts in the day it starts.
 */
export async function usageTimeseries(
  store: Pick<UsageStore, 'byPeriod'>,
  filters: UsageFilters,
  bucket: Bucket,
  timeZone: string,
  nowMs: number,
): Promise<UsageBucket[]> {
  // UTC days come whole from the daily rollup; other zones' days are assembled from UTC hours.
  const utcDays = bucket === 'day' && isUtc(timeZone);
  const rows = await store.byPeriod(filters, utcDays ? 'day' : 'hour');
  // Rows arrive in order, so one time-zone lookup per day is enough: reuse the last day while it lasts.
  let day = { start: 0, end: 0 };
  const startOf =
    bucket === 'hour'
      ? (ms: number) => ms - (ms % HOUR_MS)
      : (ms: number) => {
          if (ms < day.start || ms >= day.end) day = dayWindow(timeZone, ms);
          return day.start;
        };
  const next =
    bucket === 'hour'
      ? (start: number) => start + HOUR_MS
      : (start: number) => {
          const date = localDate(timeZone, start + HOUR_MS * 12);
          return zonedMidnight(timeZone, date.year, date.month, date.day + 1);
        };
  const buckets = new Map<number, UsageCounters>();
  const last = startOf(Math.max(nowMs, filters.sinceMs));
  for (let start = startOf(filters.sinceMs); start <= last; start = next(start)) buckets.set(start, emptyCounters());
  for (const row of rows) {
    const start = startOf(row.start_ms);
    const target = buckets.get(start) ?? emptyCounters();
    addInto(target, row);
    buckets.set(start, target);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, counters]) => ({ start_ms: start, start: new Date(start).toISOString(), ...counters }));
}
