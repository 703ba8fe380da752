// Wire shapes of /api/usage: the filter query, counters, and the wire query as the domain's UsageQuery (with range checks).
import { t } from 'elysia';
import { checkQueryRange, type UsageQuery } from '../../usage';
import { AgentIdQuery, ok } from '../schemas';

const FilterText = t.Optional(t.String({ maxLength: 200 }));
export const FilterQuery = {
  agent_id: AgentIdQuery,
  since_hours: t.Optional(t.Integer({ default: 24, description: 'Records from the last N hours, 1..8760' })),
  provider: t.Optional(
    t.String({ maxLength: 64, description: 'Case-insensitive: openai, anthropic, google, deepseek, unknown, mixed' }),
  ),
  model: t.Optional(t.String({ maxLength: 200, description: 'Case-insensitive model id' })),
  trigger_type: t.Optional(t.String({ maxLength: 32, description: 'chat, cron, heartbeat, title, compress' })),
  session_id: FilterText,
};

export const SummaryQuery = t.Object(FilterQuery);

export const RecordsQuery = t.Object({
  ...FilterQuery,
  limit: t.Optional(t.Integer({ default: 200, description: 'Newest N records, 1..2000' })),
  format: t.Optional(
    t.Union([t.Literal('json'), t.Literal('csv')], { description: '`csv`: text/csv with a header row' }),
  ),
});

export const TimeseriesQuery = t.Object({
  ...FilterQuery,
  bucket: t.Optional(t.Union([t.Literal('hour'), t.Literal('day')], { default: 'hour' })),
  timezone: t.Optional(
    t.String({ minLength: 1, maxLength: 64, description: 'IANA zone for day buckets; default usage.budget.timezone' }),
  ),
});

const Counters = {
  runs: t.Integer(),
  priced_runs: t.Integer(),
  unpriced_runs: t.Integer(),
  input_tokens: t.Integer(),
  input_uncached_tokens: t.Integer(),
  input_cache_read_tokens: t.Integer(),
  input_cache_write_tokens_5m: t.Integer(),
  input_cache_write_tokens_1h: t.Integer(),
  input_cache_write_tokens_unknown: t.Integer(),
  output_tokens: t.Integer(),
  reasoning_tokens: t.Integer(),
  tool_input_tokens: t.Integer(),
  total_tokens: t.Integer(),
  cost_usd: t.Number({ description: 'Priced runs only; unpriced runs are counted in unpriced_runs, never as $0' }),
};
const Filters = t.Object({
  agent_id: t.String(),
  since_hours: t.Integer(),
  provider: t.String(),
  model: t.String(),
  trigger_type: t.String(),
  session_id: t.String(),
});

export const RecordsAnswer = ok(
  t.Object({
    filters: t.Object({ ...Filters.properties, limit: t.Integer() }),
    records: t.Array(t.Record(t.String(), t.Any())),
    count: t.Integer(),
  }),
);

export const SummaryAnswer = ok(
  t.Object({
    filters: Filters,
    totals: t.Object(Counters),
    by_provider_model: t.Array(t.Object({ provider: t.String(), model: t.String(), ...Counters })),
    by_provider: t.Array(
      t.Object({
        provider: t.String(),
        runs: t.Integer(),
        priced_runs: t.Integer(),
        unpriced_runs: t.Integer(),
        input_tokens: t.Integer(),
        output_tokens: t.Integer(),
        total_tokens: t.Integer(),
        cost_usd: t.Number(),
      }),
    ),
    count: t.Integer(),
  }),
);

export const TimeseriesAnswer = ok(
  t.Object({
    filters: t.Object({ ...Filters.properties, bucket: t.String(), timezone: t.String() }),
    buckets: t.Array(t.Object({ start_ms: t.Integer(), start: t.String(), ...Counters })),
    count: t.Integer(),
  }),
);

export const RECORDS_DESCRIPTION =
  "Each record has the fields of contract §12.1 plus `timestamp_ms` and `estimated` (true when some counts are the server's estimate, for a model stream that ended early). With `format=csv` the answer is a spreadsheet-ready CSV file.";

export interface FilterInput {
  /** Elysia fills in the documented defaults; `?? default` only satisfies the optional type. */
  since_hours?: number;
  provider?: string;
  model?: string;
  trigger_type?: string;
  session_id?: string;
}

const present = (value: string | undefined) => value?.trim() || undefined;

/**
 * `limit` is checked here rather than in the schema: Elysia reports a coerced query number that breaks
 * `minimum`/`maximum` without its name, and clients need the field.
 */
export function checkLimit(limit: number): void {
  checkQueryRange('limit', limit, 1, 2000);
}

/** The wire filters as the domain's query (blank strings dropped; the service checks the window). */
export function toUsageQuery(query: FilterInput): UsageQuery {
  return {
    sinceHours: query.since_hours ?? 24,
    provider: present(query.provider),
    model: present(query.model),
    triggerType: present(query.trigger_type),
    sessionId: present(query.session_id),
  };
}

/** The filters as the answer repeats them. */
export const echoFilters = (agentId: string, query: FilterInput) => ({
  agent_id: agentId,
  since_hours: query.since_hours ?? 24,
  provider: query.provider ?? '',
  model: query.model ?? '',
  trigger_type: query.trigger_type ?? '',
  session_id: query.session_id ?? '',
});
