// Budget windows on a real in-memory agent database: caps, time zones, warn and block, unknown cost.
import { describe, expect, it } from 'bun:test';
import type { Database } from 'bun:sqlite';
import { defaultRuntimeConfig } from '../config';
import { AGENT_DB_MIGRATIONS } from '../db/agent-db.schema';
import { openDatabase } from '../db/open-database';
import { budgetWarning, checkBudget, projectBudget } from './budget';
import { recordUsage } from './record-usage';
import { createSqliteUsageStore } from './sqlite/usage-store.sqlite';
import { zeroCounts } from './usage-record';
import { dayWindow, monthWindow } from './zoned-calendar';

const NOW = Date.UTC(2026, 2, 8, 15, 0); // 2026-03-08 15:00 UTC = 11:00 in New York (the DST change day there)
const config = (budget: Record<string, unknown>) => {
  const base = defaultRuntimeConfig();
  return { usage: { ...base.usage, budget: { ...base.usage.budget, ...budget } } };
};
/** A run of gpt-4.1-nano costing exactly `usd` (1M input tokens cost $0.10). */
async function spend(db: Database, atMs: number, usd: number, model = 'gpt-4.1-nano') {
  const tokens = Math.round(usd * 1e7);
  await recordUsage(
    createSqliteUsageStore(db),
    {
      schema_version: 2,
      agent_id: 'default',
      provider: 'openai',
      model,
      model_source: 'fallback_model',
      usage_source: 'usage_metadata',
      trigger_type: 'chat',
      run_id: 'r',
      session_id: 's',
      ...zeroCounts(),
      input_tokens: tokens,
    },
    { pricingOverrides: {}, nowMs: atMs },
  );
}

describe('zoned calendar', () => {
  it('finds local days and months, with 23-hour DST days', async () => {
    expect(dayWindow('UTC', NOW)).toEqual({ start: Date.UTC(2026, 2, 8), end: Date.UTC(2026, 2, 9) });
    const newYork = dayWindow('America/New_York', NOW);
    expect(new Date(newYork.start).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(new Date(newYork.end).toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect(monthWindow('Asia/Kolkata', NOW)).toEqual({
      start: Date.UTC(2026, 1, 28, 18, 30),
      end: Date.UTC(2026, 2, 31, 18, 30),
    });
  });
});

describe('checkBudget', () => {
  it('is ok with no cap, whatever was spent', async () => {
    using db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
    await spend(db, NOW - 1000, 100);
    expect(await checkBudget(createSqliteUsageStore(db), config({}), NOW)).toEqual(
      expect.objectContaining({ state: 'ok', deciding: null, windows: [] }),
    );
  });

  it('counts only the current local day and month, warns from 80 % and blocks at the cap', async () => {
    using db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
    await spend(db, Date.UTC(2026, 2, 8, 4, 59), 5); // 23:59 on March 7th in New York: yesterday there
    await spend(db, Date.UTC(2026, 2, 8, 5, 1), 0.7);
    const budget = config({ daily_usd: 1, monthly_usd: 100, action: 'block', timezone: 'America/New_York' });
    const below = await checkBudget(createSqliteUsageStore(db), budget, NOW);
    expect(below.state).toBe('ok');
    expect(below.windows.map((window) => [window.window, window.spend_usd, window.state])).toEqual([
      ['daily', 0.7, 'ok'],
      ['monthly', 5.7, 'ok'],
    ]);
    expect(below.windows[0]!.resets_at).toBe('2026-03-09T04:00:00.000Z');
    await spend(db, NOW - 1000, 0.1);
    const warn = await checkBudget(createSqliteUsageStore(db), budget, NOW);
    expect(warn.state).toBe('warn');
    expect(budgetWarning(warn)).toEqual(
      expect.objectContaining({
        state: 'warn',
        window: 'daily',
        cap_usd: 1,
        spend_usd: 0.8,
        ratio: 0.8,
        resets_at: '2026-03-09T04:00:00.000Z',
      }),
    );
    await spend(db, NOW - 1000, 0.2);
    const blocked = await checkBudget(createSqliteUsageStore(db), budget, NOW);
    expect(blocked.state).toBe('block');
    expect(blocked.message).toBe(
      'The daily budget of $1.00 is reached: $1.00 spent; it resets at 2026-03-09T04:00:00.000Z.',
    );
    expect(
      (
        await checkBudget(
          createSqliteUsageStore(db),
          { usage: { ...budget.usage, budget: { ...budget.usage.budget, action: 'warn' } } },
          NOW,
        )
      ).state,
    ).toBe('warn');
    expect((await checkBudget(createSqliteUsageStore(db), budget, Date.UTC(2026, 2, 9, 4, 0))).state).toBe('ok');
  });

  it('reports runs of unknown cost apart instead of counting them as free', async () => {
    using db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
    await spend(db, NOW - 1000, 1);
    await spend(db, NOW - 1000, 1, 'mystery-model');
    const status = await checkBudget(createSqliteUsageStore(db), config({ daily_usd: 1, action: 'block' }), NOW);
    expect(status.deciding).toEqual(expect.objectContaining({ spend_usd: 1, unpriced_runs: 1 }));
    expect(status.message).toContain('plus 1 run(s) of unknown cost (no price) not counted');
  });

  it('projects a run in progress onto the windows', async () => {
    using db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
    await spend(db, NOW - 1000, 0.5);
    const before = await checkBudget(createSqliteUsageStore(db), config({ daily_usd: 1 }), NOW);
    expect(budgetWarning(before)).toBeNull();
    expect(budgetWarning(projectBudget(before, 0.3))).toEqual(
      expect.objectContaining({ state: 'warn', spend_usd: 0.8 }),
    );
    expect(budgetWarning(projectBudget(before, 0.6))).toEqual(
      expect.objectContaining({ state: 'over', spend_usd: 1.1 }),
    );
  });
});
