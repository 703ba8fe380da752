// The behaviour every UsageStore adapter must show; each adapter's test runs this suite against it.
import { describe, expect, it } from 'bun:test';
import { HOUR_MS, type UsageStore } from './usage.port';
import { zeroCounts, type UsageRecord } from './usage-record';

const DAY_MS = 24 * HOUR_MS;
/** 2026-02-28 12:30 UTC: mid-hour, so windows cut hours and days apart. */
const NOW = Date.UTC(2026, 1, 28, 12, 30);

/** The agent the records of the running test belong to (an adapter keyed by agent says which in `make`). */
let recordAgentId = 'default';

const record = (values: Partial<UsageRecord>): UsageRecord => {
  const counts = {
    ...zeroCounts(),
    input_tokens: 100,
    input_uncached_tokens: 100,
    output_tokens: 10,
    total_tokens: 110,
  };
  return {
    schema_version: 2,
    agent_id: recordAgentId,
    provider: 'openai',
    model: 'gpt-5-mini',
    model_source: 'fallback_model',
    usage_source: 'usage_metadata',
    trigger_type: 'chat',
    run_id: 'r',
    session_id: 's1',
    ...counts,
    estimated: false,
    priced: true,
    cost_usd: 0.00012345,
    pricing: { priced: true, total_cost_usd: 0.00012345 },
    ...values,
  };
};

/** `make` opens a fresh, empty store; `agentId` is the agent it keeps rows of, when it is keyed by one. */
export function describeUsageStoreContract(
  adapter: string,
  make: () => { store: UsageStore; close(): void; agentId?: string },
): void {
  const withStore = (test: (store: UsageStore) => Promise<void>) => async () => {
    const { store, close, agentId } = make();
    recordAgentId = agentId ?? 'default';
    try {
      await test(store);
    } finally {
      close();
    }
  };

  describe(`UsageStore contract (${adapter}): records`, () => {
    it(
      'gives every field back, newest first, the later stored first on equal times, at most `limit`',
      withStore(async (store) => {
        const unpriced = record({
          run_id: 'unpriced',
          priced: false,
          cost_usd: null,
          pricing: { priced: false },
          estimated: true,
          model: 'mystery',
        });
        await store.insert(record({ run_id: 'old' }), NOW - 2 * HOUR_MS);
        await store.insert(unpriced, NOW - 1000);
        await store.insert(record({ run_id: 'tie' }), NOW - 1000);
        expect((await store.records({ sinceMs: 0 }, 10)).map((row) => row.run_id)).toEqual(['tie', 'unpriced', 'old']);
        expect((await store.records({ sinceMs: 0 }, 2)).map((row) => row.run_id)).toEqual(['tie', 'unpriced']);
        expect((await store.records({ sinceMs: 0 }, 10))[1]).toEqual({ ...unpriced, timestamp_ms: NOW - 1000 });
        expect((await store.records({ sinceMs: NOW - 1000 }, 10)).map((row) => row.run_id)).toEqual([
          'tie',
          'unpriced',
        ]);
      }),
    );

    it(
      'filters by provider, model (any case), trigger and session',
      withStore(async (store) => {
        await store.insert(
          record({
            run_id: 'a',
            provider: 'deepseek',
            model: 'DeepSeek-Chat',
            trigger_type: 'cron',
            session_id: '__cron__:j',
          }),
          NOW - 3000,
        );
        await store.insert(record({ run_id: 'b' }), NOW - 2000);
        await store.insert(record({ run_id: 'c', session_id: 's2', trigger_type: 'title' }), NOW - 1000);
        const ids = async (filters: Parameters<UsageStore['records']>[0]) =>
          (await store.records(filters, 10)).map((row) => row.run_id);
        expect(await ids({ sinceMs: 0, provider: 'DeepSeek' })).toEqual(['a']);
        expect(await ids({ sinceMs: 0, model: 'deepseek-chat' })).toEqual(['a']);
        expect(await ids({ sinceMs: 0, triggerType: 'TITLE' })).toEqual(['c']);
        expect(await ids({ sinceMs: 0, sessionId: 's1' })).toEqual(['b']);
        expect(await ids({ sinceMs: 0, provider: 'openai', sessionId: 's2' })).toEqual(['c']);
        expect(await ids({ sinceMs: 0, provider: 'nobody' })).toEqual([]);
      }),
    );
  });

  describe(`UsageStore contract (${adapter}): sums`, () => {
    it(
      'sums per provider and model exactly for a window that cuts an hour and a day, counting unpriced runs apart',
      withStore(async (store) => {
        // Inside the window: part of an hour, whole hours, whole days; outside: just before it.
        const sinceMs = NOW - 3 * DAY_MS - 95 * 60_000;
        await store.insert(record({ run_id: 'before', cost_usd: 1 }), sinceMs - 1);
        await store.insert(record({ run_id: 'first', cost_usd: 0.1 }), sinceMs);
        await store.insert(record({ run_id: 'hour', cost_usd: 0.2 }), sinceMs + 45 * 60_000);
        await store.insert(record({ run_id: 'day', cost_usd: 0.3 }), NOW - DAY_MS);
        await store.insert(
          record({ run_id: 'free', priced: false, cost_usd: null, output_tokens: 5, total_tokens: 105 }),
          NOW - 60_000,
        );
        await store.insert(
          record({ run_id: 'other', provider: 'google', model: 'gemini-2.5-flash', cost_usd: 0.00000001 }),
          NOW,
        );
        const groups = (await store.byProviderModel({ sinceMs })).sort((a, b) => a.provider.localeCompare(b.provider));
        expect(groups).toEqual([
          {
            provider: 'google',
            model: 'gemini-2.5-flash',
            ...zeroCounts(),
            input_tokens: 100,
            input_uncached_tokens: 100,
            output_tokens: 10,
            total_tokens: 110,
            runs: 1,
            priced_runs: 1,
            unpriced_runs: 0,
            cost_usd: 0.00000001,
          },
          {
            provider: 'openai',
            model: 'gpt-5-mini',
            ...zeroCounts(),
            input_tokens: 400,
            input_uncached_tokens: 400,
            output_tokens: 35,
            total_tokens: 435,
            runs: 4,
            priced_runs: 3,
            unpriced_runs: 1,
            cost_usd: expect.closeTo(0.6, 8),
          },
        ]);
        expect(await store.byProviderModel({ sinceMs, provider: 'google', triggerType: 'cron' })).toEqual([]);
        expect((await store.byProviderModel({ sinceMs, sessionId: 's1' })).map((group) => group.runs).sort()).toEqual([
          1, 4,
        ]);
      }),
    );

    it(
      'sums per UTC hour and day, oldest first, leaving out periods without records',
      withStore(async (store) => {
        const hour = (ms: number) => ms - (ms % HOUR_MS);
        const day = (ms: number) => ms - (ms % DAY_MS);
        await store.insert(record({ run_id: 'a' }), NOW - 2 * DAY_MS);
        await store.insert(record({ run_id: 'b' }), NOW - 3 * HOUR_MS);
        await store.insert(record({ run_id: 'c' }), NOW - 3 * HOUR_MS + 60_000);
        await store.insert(record({ run_id: 'd' }), NOW);
        const sinceMs = NOW - 3 * DAY_MS;
        const hours = await store.byPeriod({ sinceMs }, 'hour');
        expect(hours.map((row) => [row.start_ms, row.runs])).toEqual([
          [hour(NOW - 2 * DAY_MS), 1],
          [hour(NOW - 3 * HOUR_MS), 2],
          [hour(NOW), 1],
        ]);
        const days = await store.byPeriod({ sinceMs }, 'day');
        expect(days.map((row) => [row.start_ms, row.runs, row.total_tokens])).toEqual([
          [day(NOW - 2 * DAY_MS), 1, 110],
          [day(NOW), 3, 330],
        ]);
      }),
    );
  });
}
