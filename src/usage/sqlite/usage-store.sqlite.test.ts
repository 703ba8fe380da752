// The SQLite UsageStore against the port's contract, and its `estimated` column (migration 7): older rows read as measured.
import { describe, expect, it } from 'bun:test';
import { AGENT_DB_MIGRATIONS } from '../../db/agent-db.schema';
import { applyMigrations } from '../../db/migrations';
import { openDatabase } from '../../db/open-database';
import { recordUsage } from '../record-usage';
import { describeUsageStoreContract } from '../usage.contract';
import { zeroCounts, type UnpricedUsage } from '../usage-record';
import { createSqliteUsageStore } from './usage-store.sqlite';

describeUsageStoreContract('sqlite', () => {
  const db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
  return { store: createSqliteUsageStore(db), close: () => db.close() };
});

const usage = (run_id: string, estimated?: boolean): UnpricedUsage => ({
  schema_version: 2,
  agent_id: 'default',
  provider: 'openai',
  model: 'gpt-5-mini',
  model_source: 'fallback_model',
  usage_source: 'unknown',
  trigger_type: 'chat',
  run_id,
  session_id: 's1',
  ...zeroCounts(),
  input_tokens: 100,
  output_tokens: 10,
  ...(estimated === undefined ? {} : { estimated }),
});

describe('usage records: estimated', () => {
  it('reads rows written before migration 7 as not estimated, and stores the flag of new rows', async () => {
    using db = openDatabase(
      ':memory:',
      AGENT_DB_MIGRATIONS.filter((migration) => migration.version < 7),
    );
    // A row as release 6 wrote it, without the column.
    const columns = Object.keys(zeroCounts()).join(', ');
    db.exec(
      `INSERT INTO usage_records (timestamp_ms, agent_id, provider, model, trigger_type, run_id, session_id, model_source, usage_source, ${columns}, priced, cost_usd, pricing)
       VALUES (1000, 'default', 'openai', 'gpt-5-mini', 'chat', 'before', 's1', 'fallback_model', 'usage_metadata', 100, 100, 0, 0, 0, 0, 10, 0, 0, 110, 1, 0.000045, '{}')`,
    );
    applyMigrations(db, AGENT_DB_MIGRATIONS);
    const store = createSqliteUsageStore(db);
    await recordUsage(store, usage('measured'), { pricingOverrides: {}, nowMs: 2_000 });
    await recordUsage(store, usage('guessed', true), { pricingOverrides: {}, nowMs: 3_000 });
    const records = await store.records({ sinceMs: 0 }, 10);
    expect(records.map((record) => [record.run_id, record.estimated, record.priced])).toEqual([
      ['guessed', true, true],
      ['measured', false, true],
      ['before', false, true],
    ]);
    expect(() => db.exec("UPDATE usage_records SET estimated = 2 WHERE run_id = 'before'")).toThrow();
  });
});
