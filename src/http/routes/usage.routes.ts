// /api/usage: the per-agent ledger of model usage and cost: records (JSON or CSV), summary, time series.
import { Elysia } from 'elysia';
import { usageCsv, type UsageService } from '../../usage';
import { errors } from '../schemas';
import {
  checkLimit,
  echoFilters,
  RECORDS_DESCRIPTION,
  RecordsAnswer,
  RecordsQuery,
  SummaryAnswer,
  SummaryQuery,
  TimeseriesAnswer,
  TimeseriesQuery,
  toUsageQuery,
} from './usage.schema';

export function usageRoutes(usage: UsageService) {
  return new Elysia({ prefix: '/api/usage', detail: { tags: ['usage'] } })
    .get(
      '/records',
      async ({ query, set }) => {
        const limit = query.limit ?? 200;
        checkLimit(limit);
        const { agentId, records } = await usage.records(query.agent_id, toUsageQuery(query), limit);
        if (query.format === 'csv') {
          const headers: Record<string, string> = {};
          for (const [key, value] of Object.entries(set.headers)) headers[key] = String(value);
          headers['content-type'] = 'text/csv; charset=utf-8';
          headers['content-disposition'] = `attachment; filename="usage-${agentId}.csv"`;
          return new Response(usageCsv(records), { headers }) as unknown as never;
        }
        return { data: { filters: { ...echoFilters(agentId, query), limit }, records, count: records.length } };
      },
      {
        query: RecordsQuery,
        response: { 200: RecordsAnswer, ...errors(400, 401, 404, 422, 429, 500) },
        detail: {
          summary: 'Usage records, newest first (one per run, title and compression call)',
          description: RECORDS_DESCRIPTION,
        },
      },
    )
    .get(
      '/summary',
      async ({ query }) => {
        const { agentId, summary } = await usage.summary(query.agent_id, toUsageQuery(query));
        return { data: { filters: echoFilters(agentId, query), ...summary } };
      },
      {
        query: SummaryQuery,
        response: { 200: SummaryAnswer, ...errors(400, 401, 404, 422, 429, 500) },
        detail: {
          summary: 'Totals and per provider/model sums over every matching record (computed in SQL, no row cap)',
        },
      },
    )
    .get(
      '/timeseries',
      async ({ query }) => {
        const bucket = query.bucket ?? 'hour';
        const { agentId, timezone, buckets } = await usage.timeseries(
          query.agent_id,
          toUsageQuery(query),
          bucket,
          query.timezone,
        );
        return {
          data: { filters: { ...echoFilters(agentId, query), bucket, timezone }, buckets, count: buckets.length },
        };
      },
      {
        query: TimeseriesQuery,
        response: { 200: TimeseriesAnswer, ...errors(400, 401, 404, 422, 429, 500) },
        detail: { summary: 'Usage per hour or per local day, oldest first, empty buckets included (for charts)' },
      },
    );
}
