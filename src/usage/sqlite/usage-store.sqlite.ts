// SQLite adapter of UsageStore: usage records and their hourly and daily rollups (kept by triggers, migration 6); sums in SQL.
import type { Database, SQLQueryBindings } from 'bun:sqlite';
import { HOUR_MS, type StoredUsageRecord, type UsageCounters, type UsageFilters, type UsageStore } from '../usage.port';
import { TOKEN_FIELDS, USAGE_RECORD_COLUMNS } from '../usage-record';

const DAY_MS = 86_400_000;

const COLUMNS = USAGE_RECORD_COLUMNS;
const PRICED_SQL = '(priced = 1 AND cost_usd IS NOT NULL)';
const COST_E8_SQL = `CASE WHEN ${PRICED_SQL} THEN CAST(round(cost_usd * 1e8) AS INTEGER) ELSE 0 END`;
const SUMS = [
  'SUM(runs) AS runs',
  'SUM(priced_runs) AS priced_runs',
  ...TOKEN_FIELDS.map((field) => `SUM(${field}) AS ${field}`),
  'SUM(cost_e8) AS cost_e8',
].join(', ');

function conditions(filters: UsageFilters): { sql: string; params: SQLQueryBindings[] } {
  const parts: string[] = [];
  const params: SQLQueryBindings[] = [];
  if (filters.provider) parts.push('provider = ?'), params.push(filters.provider.toLowerCase());
  if (filters.model) parts.push('model = ? COLLATE NOCASE'), params.push(filters.model);
  if (filters.triggerType) parts.push('trigger_type = ?'), params.push(filters.triggerType.toLowerCase());
  return { sql: parts.map((part) => ` AND ${part}`).join(''), params };
}

type Grain = 'total' | 'hour' | 'day';

/**
 * Rows to aggregate for a window, so sums are exact for any `sinceMs` while reading few rows: whole UTC
 * days from the daily rollup, whole hours before the first of them from the hourly rollup, and the
 * partial first hour from the records themselves (session-filtered queries read records only, by index).
 * `key` is 0, or the start of the row's UTC hour or day; hour keys never read the daily rollup.
 */
function windowSource(filters: UsageFilters, grain: Grain): { sql: string; params: SQLQueryBindings[] } {
  const where = conditions(filters);
  const values = `${TOKEN_FIELDS.join(', ')}, cost_e8`;
  const keyOf = (column: string) =>
    grain === 'total' ? '0' : `${column} - ${column} % ${grain === 'hour' ? HOUR_MS : DAY_MS}`;
  const rawColumns = `${keyOf('timestamp_ms')} AS key, 1 AS runs, ${PRICED_SQL} AS priced_runs, ${TOKEN_FIELDS.join(', ')}, ${COST_E8_SQL} AS cost_e8`;
  if (filters.sessionId) {
    return {
      sql: `SELECT provider, model, ${rawColumns} FROM usage_records WHERE session_id = ? AND timestamp_ms >= ?${where.sql}`,
      params: [filters.sessionId, filters.sinceMs, ...where.params],
    };
  }
  const fullHours = Math.ceil(filters.sinceMs / HOUR_MS) * HOUR_MS;
  const fullDays = grain === 'hour' ? Number.MAX_SAFE_INTEGER : Math.ceil(filters.sinceMs / DAY_MS) * DAY_MS;
  const parts = [
    {
      sql: `SELECT provider, model, ${keyOf('hour_ms')} AS key, runs, priced_runs, ${values} FROM usage_hourly WHERE hour_ms >= ? AND hour_ms < ?${where.sql}`,
      params: [fullHours, fullDays, ...where.params],
    },
    {
      sql: `SELECT provider, model, ${rawColumns} FROM usage_records WHERE timestamp_ms >= ? AND timestamp_ms < ?${where.sql}`,
      params: [filters.sinceMs, fullHours, ...where.params],
    },
  ];
  if (grain !== 'hour') {
    parts.push({
      sql: `SELECT provider, model, ${keyOf('day_ms')} AS key, runs, priced_runs, ${values} FROM usage_daily WHERE day_ms >= ?${where.sql}`,
      params: [fullDays, ...where.params],
    });
  }
  return { sql: parts.map((part) => part.sql).join(' UNION ALL '), params: parts.flatMap((part) => part.params) };
}

function toCounters(row: Record<string, number>): UsageCounters {
  const counters = {
    runs: row.runs ?? 0,
    priced_runs: row.priced_runs ?? 0,
    unpriced_runs: (row.runs ?? 0) - (row.priced_runs ?? 0),
  } as UsageCounters;
  for (const field of TOKEN_FIELDS) counters[field] = row[field] ?? 0;
  counters.cost_usd = (row.cost_e8 ?? 0) / 1e8;
  return counters;
}

export function createSqliteUsageStore(db: Database): UsageStore {
  const insert = db.query(
    `INSERT INTO usage_records (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,
  );
  return {
    async insert(record, timestampMs) {
      insert.run(
        timestampMs,
        record.agent_id,
        record.provider,
        record.model,
        record.trigger_type,
        record.run_id,
        record.session_id,
        record.model_source,
        record.usage_source,
        ...TOKEN_FIELDS.map((field) => record[field]),
        record.priced ? 1 : 0,
        record.cost_usd,
        JSON.stringify(record.pricing),
        record.estimated ? 1 : 0,
      );
    },
    async records(filters, limit) {
      const where = conditions(filters);
      const session = filters.sessionId ? ' AND session_id = ?' : '';
      const params = [filters.sinceMs, ...(filters.sessionId ? [filters.sessionId] : []), ...where.params, limit];
      return db
        .query<Record<string, unknown>, SQLQueryBindings[]>(
          `SELECT * FROM usage_records WHERE timestamp_ms >= ?${session}${where.sql} ORDER BY timestamp_ms DESC, id DESC LIMIT ?`,
        )
        .all(...params)
        .map(({ id: _id, priced, pricing, estimated, timestamp_ms, ...row }) => ({
          schema_version: 2,
          timestamp_ms,
          ...row,
          priced: priced === 1,
          pricing: JSON.parse(String(pricing)),
          estimated: estimated === 1,
        })) as StoredUsageRecord[];
    },
    async byProviderModel(filters) {
      const source = windowSource(filters, 'total');
      return db
        .query<Record<string, unknown>, SQLQueryBindings[]>(
          `SELECT provider, model, ${SUMS} FROM (${source.sql}) GROUP BY provider, model`,
        )
        .all(...source.params)
        .map((row) => ({
          provider: row.provider as string,
          model: row.model as string,
          ...toCounters(row as Record<string, number>),
        }));
    },
    async byPeriod(filters, period) {
      const source = windowSource(filters, period);
      return db
        .query<Record<string, unknown>, SQLQueryBindings[]>(
          `SELECT key AS start_ms, ${SUMS} FROM (${source.sql}) GROUP BY key ORDER BY key`,
        )
        .all(...source.params)
        .map((row) => ({ start_ms: row.start_ms as number, ...toCounters(row as Record<string, number>) }));
    },
  };
}
