// SQL access for usage records in the agent database; `recordUsage` is the one writer.
import type { Database } from 'bun:sqlite';
import { TOKEN_FIELDS, type UsageRecord } from './usage-record';

export interface UsageStore {
  /** Stores a run's record with its timestamp. */
  record(record: UsageRecord, timestampMs: number): void;
  /** Newest first. */
  list(limit: number): (UsageRecord & { timestamp_ms: number })[];
}

const COLUMNS = [
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
];

export function createSqliteUsageStore(db: Database): UsageStore {
  const insert = db.query(`INSERT INTO usage_records (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
  return {
    record(record, timestampMs) {
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
      );
    },
    list(limit) {
      return db
        .query<Record<string, any>, [number]>('SELECT * FROM usage_records ORDER BY timestamp_ms DESC, id DESC LIMIT ?')
        .all(limit)
        .map(({ id: _id, priced, pricing, ...row }) => ({ schema_version: 2, ...row, priced: priced === 1, pricing: JSON.parse(pricing) }) as UsageRecord & { timestamp_ms: number });
    },
  };
}
