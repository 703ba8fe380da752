// The ledger's read side on a real in-memory agent database: filters, summary, time series, rollup vs raw rows.
import { describe, expect, it } from 'bun:test';
import type { Database } from 'bun:sqlite';
import { AGENT_DB_MIGRATIONS } from '../db/agent-db.schema';
import { applyMigrations } from '../db/migrations';
import { openDatabase } from '../db/open-database';
import { recordUsage } from './record-usage';
import { summarizeUsage, usageTimeseries } from './usage-report';
import { normalizeCounts, TOKEN_FIELDS, zeroCounts, type UnpricedUsage } from './usage-record';
import { createSqliteUsageStore } from './sqlite/usage-store.sqlite';
import { HOUR_MS } from './usage.port';

const NOW = Date.UTC(2026, 1, 28, 12, 30); // 12:30 UTC
const usage = (values: Partial<UnpricedUsage>): UnpricedUsage => ({
  schema_version: 2,
  agent_id: 'default',
  provider: 'openai',
  model: 'gpt-5-mini',
  model_source: 'fallback_model',
  usage_source: 'usage_metadata',
  trigger_type: 'chat',
  run_id: 'r',
  session_id: 's1',
  ...zeroCounts(),
  ...values,
});
const storeOf = (db: Database) => createSqliteUsageStore(db);
const add = async (db: Database, atMs: number, values: Partial<UnpricedUsage>) =>
  (await recordUsage(storeOf(db), usage(values), { pricingOverrides: {}, nowMs: atMs }))!;

/** Three runs: two priced DeepSeek rows and one unpriced Google row (the contract's summary test), plus an old one. */
async function mixedLedger(db: Database) {
  await add(db, NOW - 10 * 60_000, {
    provider: 'deepseek',
    model: 'deepseek-chat',
    input_tokens: 260,
    input_cache_read_tokens: 200,
    input_uncached_tokens: 60,
    output_tokens: 44,
    session_id: 'a',
  });
  await add(db, NOW - 3 * HOUR_MS - 5 * 60_000, {
    provider: 'deepseek',
    model: 'deepseek-chat',
    input_tokens: 1_000_000,
    output_tokens: 500_000,
    trigger_type: 'cron',
    session_id: 'b',
  });
  await add(db, NOW - 20 * HOUR_MS, {
    provider: 'google',
    model: 'gemini-9-ultra',
    input_tokens: 1000,
    output_tokens: 100,
    trigger_type: 'heartbeat',
    session_id: 'a',
  });
  await add(db, NOW - 30 * HOUR_MS, { provider: 'openai', model: 'gpt-5-mini', input_tokens: 100, output_tokens: 100 });
}

describe('summarizeUsage', () => {
  it('gives totals and groups equal to the hand-computed ones over mixed records', async () => {
    using db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
    await mixedLedger(db);
    const summary = await summarizeUsage(storeOf(db), { sinceMs: NOW - 24 * HOUR_MS });
    // deepseek-chat: (60×0.28 + 200×0.028 + 44×0.42)/1e6 and (1e6×0.28 + 5e5×0.42)/1e6.
    const small = (60 * 0.28 + 200 * 0.028 + 44 * 0.42) / 1e6;
    const big = 0.28 + 0.21;
    expect(summary.count).toBe(3);
    expect(summary.totals).toEqual({
      runs: 3,
      priced_runs: 2,
      unpriced_runs: 1,
      input_tokens: 1_001_260,
      input_uncached_tokens: 1_001_060,
      input_cache_read_tokens: 200,
      input_cache_write_tokens_5m: 0,
      input_cache_write_tokens_1h: 0,
      input_cache_write_tokens_unknown: 0,
      output_tokens: 500_144,
      reasoning_tokens: 0,
      tool_input_tokens: 0,
      total_tokens: 1_501_404,
      cost_usd: Math.round((small + big) * 1e8) / 1e8,
    });
    expect(
      summary.by_provider_model.map((row) => [row.provider, row.model, row.runs, row.priced_runs, row.unpriced_runs]),
    ).toEqual([
      ['deepseek', 'deepseek-chat', 2, 2, 0],
      ['google', 'gemini-9-ultra', 1, 0, 1],
    ]);
    expect(summary.by_provider).toEqual([
      {
        provider: 'deepseek',
        runs: 2,
        priced_runs: 2,
        unpriced_runs: 0,
        input_tokens: 1_000_260,
        output_tokens: 500_044,
        total_tokens: 1_500_304,
        cost_usd: summary.totals.cost_usd,
      },
      {
        provider: 'google',
        runs: 1,
        priced_runs: 0,
        unpriced_runs: 1,
        input_tokens: 1000,
        output_tokens: 100,
        total_tokens: 1100,
        cost_usd: 0,
      },
    ]);
  });

  it('applies every filter: window, provider and model (case-insensitive), trigger type, session', async () => {
    using db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
    await mixedLedger(db);
    const runs = async (filters: Record<string, unknown>) =>
      (await summarizeUsage(storeOf(db), { sinceMs: NOW - 24 * HOUR_MS, ...filters })).totals.runs;
    expect(await runs({ sinceMs: NOW - HOUR_MS })).toBe(1);
    expect(await runs({ sinceMs: NOW - 3 * HOUR_MS - 5 * 60_000 })).toBe(2);
    expect(await runs({ sinceMs: NOW - 3 * HOUR_MS - 5 * 60_000 + 1 })).toBe(1);
    expect(await runs({ sinceMs: NOW - 48 * HOUR_MS })).toBe(4);
    expect(await runs({ provider: 'DeepSeek' })).toBe(2);
    expect(await runs({ model: 'GEMINI-9-ULTRA' })).toBe(1);
    expect(await runs({ triggerType: 'Cron' })).toBe(1);
    expect(await runs({ sessionId: 'a' })).toBe(2);
    expect(await runs({ sessionId: 'a', provider: 'google' })).toBe(1);
    expect(await runs({ provider: 'anthropic' })).toBe(0);
  });

  it('sums exactly like the raw rows for any window start (rollup for whole hours, rows for the partial hour)', async () => {
    using db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const stored = [];
    for (let index = 0; index < 400; index++) {
      const at = NOW - Math.floor(random() * 72 * HOUR_MS);
      const model = ['gpt-5-mini', 'gpt-4o', 'no-such-model'][index % 3]!;
      stored.push(
        await add(db, at, {
          model,
          input_tokens: 1 + Math.floor(random() * 5000),
          output_tokens: Math.floor(random() * 900),
          trigger_type: index % 2 ? 'chat' : 'cron',
        }),
      );
    }
    for (let probe = 0; probe < 25; probe++) {
      const sinceMs = NOW - Math.floor(random() * 80 * HOUR_MS);
      const inWindow = stored.filter((record) => record.timestamp_ms >= sinceMs);
      const totals = (await summarizeUsage(storeOf(db), { sinceMs })).totals;
      expect(totals.runs).toBe(inWindow.length);
      expect(totals.priced_runs).toBe(inWindow.filter((record) => record.priced).length);
      for (const field of TOKEN_FIELDS)
        expect(totals[field]).toBe(inWindow.reduce((sum, record) => sum + record[field], 0));
      expect(totals.cost_usd).toBeCloseTo(
        inWindow.reduce((sum, record) => sum + (record.cost_usd ?? 0), 0),
        8,
      );
      for (const [bucket, zone, size] of [
        ['day', 'UTC', 86_400_000],
        ['hour', 'UTC', HOUR_MS],
      ] as const) {
        const series = await usageTimeseries(storeOf(db), { sinceMs }, bucket, zone, NOW);
        for (const point of series) {
          const inBucket = inWindow.filter(
            (record) => record.timestamp_ms - (record.timestamp_ms % size) === point.start_ms,
          );
          expect([point.runs, point.total_tokens]).toEqual([
            inBucket.length,
            inBucket.reduce((sum, record) => sum + record.total_tokens, 0),
          ]);
        }
        expect(series.reduce((sum, point) => sum + point.runs, 0)).toBe(inWindow.length);
      }
    }
  });
});

describe('migration 6', () => {
  it('backfills the rollups from records written before it', async () => {
    using db = openDatabase(
      ':memory:',
      AGENT_DB_MIGRATIONS.filter((migration) => migration.version <= 3),
    );
    [NOW - 1000, NOW - 5 * HOUR_MS, NOW - 50 * HOUR_MS].forEach((at, index) => {
      const record = {
        ...usage({ input_tokens: 100 * (index + 1), output_tokens: 10 }),
        priced: true,
        cost_usd: 0.001 * (index + 1),
        pricing: {},
      };
      normalizeCounts(record);
      db.query(
        `INSERT INTO usage_records (timestamp_ms, agent_id, provider, model, trigger_type, run_id, session_id, model_source, usage_source, ${TOKEN_FIELDS.join(', ')}, priced, cost_usd, pricing)
         VALUES (${Array(22).fill('?').join(', ')})`,
      ).run(
        at,
        'default',
        'openai',
        'gpt-5-mini',
        'chat',
        'r',
        's',
        'fallback_model',
        'usage_metadata',
        ...TOKEN_FIELDS.map((field) => record[field]),
        1,
        record.cost_usd,
        '{}',
      );
    });
    applyMigrations(db, AGENT_DB_MIGRATIONS);
    const totals = (await summarizeUsage(storeOf(db), { sinceMs: NOW - 72 * HOUR_MS })).totals;
    expect(totals).toEqual(
      expect.objectContaining({
        runs: 3,
        priced_runs: 3,
        input_tokens: 600,
        output_tokens: 30,
        total_tokens: 630,
        cost_usd: 0.006,
      }),
    );
  });
});

describe('usage records', () => {
  it('lists newest first within the limit and the filters', async () => {
    using db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
    await mixedLedger(db);
    const store = createSqliteUsageStore(db);
    const all = await store.records({ sinceMs: NOW - 48 * HOUR_MS }, 10);
    expect(all.map((record) => record.model)).toEqual([
      'deepseek-chat',
      'deepseek-chat',
      'gemini-9-ultra',
      'gpt-5-mini',
    ]);
    expect(all.map((record) => record.timestamp_ms)).toEqual(
      [...all.map((record) => record.timestamp_ms)].sort((a, b) => b - a),
    );
    expect(await store.records({ sinceMs: NOW - 48 * HOUR_MS }, 2)).toHaveLength(2);
    expect(
      (await store.records({ sinceMs: 0, provider: 'GOOGLE', sessionId: 'a' }, 10)).map((record) => record.model),
    ).toEqual(['gemini-9-ultra']);
    expect(all[2]).toEqual(
      expect.objectContaining({
        priced: false,
        cost_usd: null,
        pricing: expect.objectContaining({ unpriced_reason: 'model_not_in_catalog' }),
      }),
    );
  });

  it('reads filtered records and rollup windows through indexes', () => {
    using db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
    const plan = (sql: string) =>
      db
        .query<{ detail: string }, []>(`EXPLAIN QUERY PLAN ${sql}`)
        .all()
        .map((row) => row.detail)
        .join(' | ');
    expect(
      plan('SELECT * FROM usage_records WHERE timestamp_ms >= 0 ORDER BY timestamp_ms DESC, id DESC LIMIT 100'),
    ).toContain('USING INDEX usage_by_time');
    expect(
      plan(
        "SELECT * FROM usage_records WHERE provider = 'x' AND timestamp_ms >= 0 ORDER BY timestamp_ms DESC LIMIT 100",
      ),
    ).toContain('usage_by_provider_time');
    expect(plan("SELECT * FROM usage_records WHERE session_id = 'x' AND timestamp_ms >= 0")).toContain(
      'usage_by_session_time',
    );
    expect(plan('SELECT * FROM usage_hourly WHERE hour_ms >= 0')).toContain('PRIMARY KEY');
  });

  it('keeps the rollup in step when records are deleted', async () => {
    using db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
    await mixedLedger(db);
    db.exec("DELETE FROM usage_records WHERE provider = 'deepseek'");
    expect((await summarizeUsage(storeOf(db), { sinceMs: 0 })).totals).toEqual(
      expect.objectContaining({ runs: 2, cost_usd: expect.any(Number) }),
    );
    expect((await summarizeUsage(storeOf(db), { sinceMs: 0, provider: 'deepseek' })).totals.runs).toBe(0);
  });
});

describe('usageTimeseries', () => {
  it('buckets by UTC hour with empty hours filled, oldest first', async () => {
    using db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
    await mixedLedger(db);
    const hours = await usageTimeseries(storeOf(db), { sinceMs: NOW - 4 * HOUR_MS }, 'hour', 'UTC', NOW);
    expect(hours.map((bucket) => [bucket.start, bucket.runs])).toEqual([
      ['2026-02-28T08:00:00.000Z', 0],
      ['2026-02-28T09:00:00.000Z', 1],
      ['2026-02-28T10:00:00.000Z', 0],
      ['2026-02-28T11:00:00.000Z', 0],
      ['2026-02-28T12:00:00.000Z', 1],
    ]);
    // The 08:30 window start cuts the first hour: a record at 08:10 stays out.
    await add(db, NOW - 4 * HOUR_MS - 20 * 60_000, { input_tokens: 5 });
    expect((await usageTimeseries(storeOf(db), { sinceMs: NOW - 4 * HOUR_MS }, 'hour', 'UTC', NOW))[0]!.runs).toBe(0);
  });

  it('buckets by local day in the given time zone', async () => {
    using db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
    await mixedLedger(db);
    const utc = await usageTimeseries(storeOf(db), { sinceMs: NOW - 48 * HOUR_MS }, 'day', 'UTC', NOW);
    expect(utc.map((bucket) => [bucket.start, bucket.runs])).toEqual([
      ['2026-02-26T00:00:00.000Z', 0],
      ['2026-02-27T00:00:00.000Z', 2],
      ['2026-02-28T00:00:00.000Z', 2],
    ]);
    // In Tokyo (UTC+9) 12:30 UTC is 21:30 local; the record at 16:30 UTC the day before is already on the 28th.
    const tokyo = await usageTimeseries(storeOf(db), { sinceMs: NOW - 48 * HOUR_MS }, 'day', 'Asia/Tokyo', NOW);
    expect(tokyo.map((bucket) => [bucket.start, bucket.runs])).toEqual([
      ['2026-02-25T15:00:00.000Z', 0],
      ['2026-02-26T15:00:00.000Z', 1],
      ['2026-02-27T15:00:00.000Z', 3],
    ]);
  });
});
