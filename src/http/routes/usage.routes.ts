// /api/usage: the per-agent ledger of model usage and cost: records (JSON or CSV), summary, time series.
import type { Database } from 'bun:sqlite';
import { Elysia, t } from 'elysia';
import type { AgentDirectory } from '../../agents';
import { isKnownTimeZone } from '../../config/runtime-config.schema';
import { validationError } from '../../shared/app-error';
import type { Clock } from '../../shared/clock';
import { usageCsv } from '../../usage/usage-csv';
import { summarizeUsage, usageTimeseries } from '../../usage/usage-report';
import { createSqliteUsageStore, HOUR_MS, type UsageFilters } from '../../usage/usage.store';
import { AgentIdQuery, errors, ok } from '../schemas';

const FilterText = t.Optional(t.String({ maxLength: 200 }));
const FilterQuery = {
  agent_id: AgentIdQuery,
  since_hours: t.Optional(t.Integer({ default: 24, description: 'Records from the last N hours, 1..8760' })),
  provider: t.Optional(t.String({ maxLength: 64, description: 'Case-insensitive: openai, anthropic, google, deepseek, unknown, mixed' })),
  model: t.Optional(t.String({ maxLength: 200, description: 'Case-insensitive model id' })),
  trigger_type: t.Optional(t.String({ maxLength: 32, description: 'chat, cron, heartbeat, title, compress' })),
  session_id: FilterText,
};

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

interface FilterInput {
  /** Elysia fills in the documented defaults; `?? default` only satisfies the optional type. */
  since_hours?: number;
  provider?: string;
  model?: string;
  trigger_type?: string;
  session_id?: string;
}

const present = (value: string | undefined) => value?.trim() || undefined;

/**
 * Bounds of integer query parameters, checked here rather than in the schema: Elysia reports a coerced
 * query number that breaks `minimum`/`maximum` without its name, and clients need the field.
 */
function checkRange(name: string, value: number, min: number, max: number): void {
  if (value >= min && value <= max) return;
  throw validationError(`query.${name}`, `Input should be between ${min} and ${max}`, value < min ? 'greater_than_equal' : 'less_than_equal');
}

function readFilters(query: FilterInput, nowMs: number): UsageFilters {
  const sinceHours = query.since_hours ?? 24;
  checkRange('since_hours', sinceHours, 1, 8760);
  return {
    sinceMs: nowMs - sinceHours * HOUR_MS,
    provider: present(query.provider),
    model: present(query.model),
    triggerType: present(query.trigger_type),
    sessionId: present(query.session_id),
  };
}

const echo = (agentId: string, query: FilterInput) => ({
  agent_id: agentId,
  since_hours: query.since_hours ?? 24,
  provider: query.provider ?? '',
  model: query.model ?? '',
  trigger_type: query.trigger_type ?? '',
  session_id: query.session_id ?? '',
});

export function usageRoutes(agents: AgentDirectory<{ db: Database }>, clock: Clock) {
  return new Elysia({ prefix: '/api/usage', detail: { tags: ['usage'] } })
    .get(
      '/records',
      ({ query, set }) => {
        const limit = query.limit ?? 200;
        checkRange('limit', limit, 1, 2000);
        const agent = agents.get(query.agent_id);
        const records = createSqliteUsageStore(agent.storage.db).records(readFilters(query, clock.nowMs()), limit);
        if (query.format === 'csv') {
          const headers: Record<string, string> = {};
          for (const [key, value] of Object.entries(set.headers)) headers[key] = String(value);
          headers['content-type'] = 'text/csv; charset=utf-8';
          headers['content-disposition'] = `attachment; filename="usage-${agent.id}.csv"`;
          return new Response(usageCsv(records), { headers }) as unknown as never;
        }
        return { data: { filters: { ...echo(agent.id, query), limit }, records, count: records.length } };
      },
      {
        query: t.Object({
          ...FilterQuery,
          limit: t.Optional(t.Integer({ default: 200, description: 'Newest N records, 1..2000' })),
          format: t.Optional(t.Union([t.Literal('json'), t.Literal('csv')], { description: '`csv`: text/csv with a header row' })),
        }),
        response: {
          200: ok(t.Object({ filters: t.Object({ ...Filters.properties, limit: t.Integer() }), records: t.Array(t.Record(t.String(), t.Any())), count: t.Integer() })),
          ...errors(400, 401, 404, 422, 429, 500),
        },
        detail: {
          summary: 'Usage records, newest first (one per run, title and compression call)',
          description: 'Each record has the fields of contract §12.1 plus `timestamp_ms` and `estimated` (true when some counts are the server\'s estimate, for a model stream that ended early). With `format=csv` the answer is a spreadsheet-ready CSV file.',
        },
      },
    )
    .get(
      '/summary',
      ({ query }) => {
        const agent = agents.get(query.agent_id);
        return { data: { filters: echo(agent.id, query), ...summarizeUsage(agent.storage.db, readFilters(query, clock.nowMs())) } };
      },
      {
        query: t.Object(FilterQuery),
        response: {
          200: ok(
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
          ),
          ...errors(400, 401, 404, 422, 429, 500),
        },
        detail: { summary: 'Totals and per provider/model sums over every matching record (computed in SQL, no row cap)' },
      },
    )
    .get(
      '/timeseries',
      ({ query }) => {
        const agent = agents.get(query.agent_id);
        if (query.timezone !== undefined && !isKnownTimeZone(query.timezone)) {
          throw validationError('query.timezone', 'Unknown IANA time zone');
        }
        const timezone = query.timezone ?? agent.config().usage.budget.timezone;
        const nowMs = clock.nowMs();
        const buckets = usageTimeseries(agent.storage.db, readFilters(query, nowMs), query.bucket ?? 'hour', timezone, nowMs);
        return { data: { filters: { ...echo(agent.id, query), bucket: query.bucket ?? 'hour', timezone }, buckets, count: buckets.length } };
      },
      {
        query: t.Object({
          ...FilterQuery,
          bucket: t.Optional(t.Union([t.Literal('hour'), t.Literal('day')], { default: 'hour' })),
          timezone: t.Optional(t.String({ minLength: 1, maxLength: 64, description: 'IANA zone for day buckets; default usage.budget.timezone' })),
        }),
        response: {
          200: ok(
            t.Object({
              filters: t.Object({ ...Filters.properties, bucket: t.String(), timezone: t.String() }),
              buckets: t.Array(t.Object({ start_ms: t.Integer(), start: t.String(), ...Counters })),
              count: t.Integer(),
            }),
          ),
          ...errors(400, 401, 404, 422, 429, 500),
        },
        detail: { summary: 'Usage per hour or per local day, oldest first, empty buckets included (for charts)' },
      },
    );
}
