// PostgreSQL adapter of UsageStore: one agent's usage records, with hourly and daily rollups kept in the same statement; sums in SQL.
import type { SQL } from 'bun';
import { toNumber } from '../../db/postgres/row-values';
import { HOUR_MS, type StoredUsageRecord, type UsageCounters, type UsageFilters, type UsageStore } from '../usage.port';
import { TOKEN_FIELDS, USAGE_RECORD_COLUMNS } from '../usage-record';

const DAY_MS = 86_400_000;
const PRICED_SQL = '(priced AND cost_usd IS NOT NULL)';
const COST_E8_SQL = `CASE WHEN ${PRICED_SQL} THEN round(cost_usd * 1e8)::bigint ELSE 0 END`;
const SUMS = [
  'SUM(runs) AS runs',
  'SUM(priced_runs) AS priced_runs',
  ...TOKEN_FIELDS.map((field) => `SUM(${field}) AS ${field}`),
  'SUM(cost_e8) AS cost_e8',
].join(', ');

/** The rollup upsert for `table` (`usage_hourly` by `hour_ms`, `usage_daily` by `day_ms`) from the inserted row `r`. */
function rollup(table: string, key: string, size: number): string {
  const adds = ['runs', 'priced_runs', ...TOKEN_FIELDS, 'cost_e8']
    .map((column) => `${column} = ${table}.${column} + excluded.${column}`)
    .join(', ');
  return `INSERT INTO ${table} (agent_id, ${key}, provider, model, trigger_type, runs, priced_runs, ${TOKEN_FIELDS.join(', ')}, cost_e8)
    SELECT agent_id, timestamp_ms - timestamp_ms % ${size}, provider, model, trigger_type, 1, ${PRICED_SQL}::integer,
      ${TOKEN_FIELDS.join(', ')}, ${COST_E8_SQL} FROM r
    ON CONFLICT (agent_id, ${key}, provider, model, trigger_type) DO UPDATE SET ${adds}`;
}

const RECORD_COLUMNS = USAGE_RECORD_COLUMNS;
/** One statement: the record and both rollups change together or not at all, and concurrent inserts add up. */
const INSERT_SQL = `WITH r AS (
    INSERT INTO usage_records (${RECORD_COLUMNS.join(', ')})
    VALUES (${RECORD_COLUMNS.map((_, index) => `$${index + 1}`).join(', ')}) RETURNING *
  ), hourly AS (${rollup('usage_hourly', 'hour_ms', HOUR_MS)})
  ${rollup('usage_daily', 'day_ms', DAY_MS)}`;

/** Collects positional parameters for `sql.unsafe`. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

function conditions(filters: UsageFilters, params: Params): string {
  const parts: string[] = [];
  if (filters.provider) parts.push(`provider = ${params.add(filters.provider.toLowerCase())}`);
  if (filters.model) parts.push(`lower(model) = lower(${params.add(filters.model)})`);
  if (filters.triggerType) parts.push(`trigger_type = ${params.add(filters.triggerType.toLowerCase())}`);
  return parts.map((part) => ` AND ${part}`).join('');
}

type Grain = 'total' | 'hour' | 'day';

/**
 * Rows to aggregate for a window, exact for any `sinceMs` (as the SQLite adapter): whole UTC days from the
 * daily rollup, whole hours before them from the hourly rollup, the partial first hour from the records.
 */
function windowSource(agentId: string, filters: UsageFilters, grain: Grain, params: Params): string {
  const agent = params.add(agentId);
  const values = `${TOKEN_FIELDS.join(', ')}, cost_e8`;
  const keyOf = (column: string) =>
    grain === 'total' ? '0' : `${column} - ${column} % ${grain === 'hour' ? HOUR_MS : DAY_MS}`;
  const rawColumns = `${keyOf('timestamp_ms')} AS key, 1 AS runs, ${PRICED_SQL}::integer AS priced_runs, ${TOKEN_FIELDS.join(', ')}, ${COST_E8_SQL} AS cost_e8`;
  if (filters.sessionId) {
    const session = params.add(filters.sessionId);
    const since = params.add(filters.sinceMs);
    return `SELECT provider, model, ${rawColumns} FROM usage_records
      WHERE agent_id = ${agent} AND session_id = ${session} AND timestamp_ms >= ${since}${conditions(filters, params)}`;
  }
  const fullHours = Math.ceil(filters.sinceMs / HOUR_MS) * HOUR_MS;
  const fullDays = grain === 'hour' ? Number.MAX_SAFE_INTEGER : Math.ceil(filters.sinceMs / DAY_MS) * DAY_MS;
  const parts = [
    `SELECT provider, model, ${keyOf('hour_ms')} AS key, runs, priced_runs, ${values} FROM usage_hourly
      WHERE agent_id = ${agent} AND hour_ms >= ${params.add(fullHours)} AND hour_ms < ${params.add(fullDays)}${conditions(filters, params)}`,
    `SELECT provider, model, ${rawColumns} FROM usage_records
      WHERE agent_id = ${agent} AND timestamp_ms >= ${params.add(filters.sinceMs)} AND timestamp_ms < ${params.add(fullHours)}${conditions(filters, params)}`,
  ];
  if (grain !== 'hour') {
    parts.push(`SELECT provider, model, ${keyOf('day_ms')} AS key, runs, priced_runs, ${values} FROM usage_daily
      WHERE agent_id = ${agent} AND day_ms >= ${params.add(fullDays)}${conditions(filters, params)}`);
  }
  return parts.join(' UNION ALL ');
}

function toCounters(row: Record<string, unknown>): UsageCounters {
  const runs = toNumber(row.runs ?? 0);
  const pricedRuns = toNumber(row.priced_runs ?? 0);
  const counters = { runs, priced_runs: pricedRuns, unpriced_runs: runs - pricedRuns } as UsageCounters;
  for (const field of TOKEN_FIELDS) counters[field] = toNumber(row[field] ?? 0);
  counters.cost_usd = toNumber(row.cost_e8 ?? 0) / 1e8;
  return counters;
}

/** The usage ledger of agent `agentId` in the shared database (records carry that agent id). */
export function createPostgresUsageStore(sql: SQL, agentId: string): UsageStore {
  return {
    async insert(record, timestampMs) {
      await sql.unsafe(INSERT_SQL, [
        timestampMs,
        agentId,
        record.provider,
        record.model,
        record.trigger_type,
        record.run_id,
        record.session_id,
        record.model_source,
        record.usage_source,
        ...TOKEN_FIELDS.map((field) => record[field]),
        record.priced,
        record.cost_usd,
        JSON.stringify(record.pricing),
        record.estimated,
      ]);
    },
    async records(filters, limit) {
      const params = new Params();
      const agent = params.add(agentId);
      const since = params.add(filters.sinceMs);
      const session = filters.sessionId ? ` AND session_id = ${params.add(filters.sessionId)}` : '';
      const where = conditions(filters, params);
      const rows: Record<string, unknown>[] = await sql.unsafe(
        `SELECT * FROM usage_records WHERE agent_id = ${agent} AND timestamp_ms >= ${since}${session}${where}
         ORDER BY timestamp_ms DESC, id DESC LIMIT ${params.add(limit)}`,
        params.values,
      );
      return rows.map((row) => {
        const record: Record<string, unknown> = {
          schema_version: 2,
          timestamp_ms: toNumber(row.timestamp_ms),
          agent_id: row.agent_id,
        };
        for (const column of RECORD_COLUMNS.slice(2)) record[column] = row[column];
        for (const field of TOKEN_FIELDS) record[field] = toNumber(row[field]);
        record.pricing = JSON.parse(String(row.pricing));
        return record as unknown as StoredUsageRecord;
      });
    },
    async byProviderModel(filters) {
      const params = new Params();
      const source = windowSource(agentId, filters, 'total', params);
      const rows: Record<string, unknown>[] = await sql.unsafe(
        `SELECT provider, model, ${SUMS} FROM (${source}) AS source GROUP BY provider, model`,
        params.values,
      );
      return rows.map((row) => ({ provider: String(row.provider), model: String(row.model), ...toCounters(row) }));
    },
    async byPeriod(filters, period) {
      const params = new Params();
      const source = windowSource(agentId, filters, period, params);
      const rows: Record<string, unknown>[] = await sql.unsafe(
        `SELECT key AS start_ms, ${SUMS} FROM (${source}) AS source GROUP BY key ORDER BY key`,
        params.values,
      );
      return rows.map((row) => ({ start_ms: toNumber(row.start_ms), ...toCounters(row) }));
    },
  };
}
