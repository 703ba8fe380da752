// The behaviour every RunStore adapter must show; each adapter's test runs this suite against it.
import { describe, expect, it } from 'bun:test';
import type { NewRun, RunRecord, RunStore } from './run-store.port';

const newRun = (runId: string, overrides: Partial<NewRun> = {}): NewRun => ({
  runId,
  sessionId: 's1',
  trigger: 'chat',
  startedMs: 1_000,
  model: 'gpt-5-mini',
  ...overrides,
});

const stored = (run: NewRun, overrides: Partial<RunRecord> = {}): RunRecord => ({
  ...run,
  status: 'running',
  finishedMs: null,
  attempts: 1,
  usage: null,
  error: null,
  approvalIds: [],
  ...overrides,
});

export function describeRunStoreContract(adapter: string, make: () => { store: RunStore; close(): void }): void {
  const withStore = (test: (store: RunStore) => Promise<void>) => async () => {
    const { store, close } = make();
    try {
      await test(store);
    } finally {
      close();
    }
  };

  describe(`RunStore contract (${adapter})`, () => {
    it(
      'stores a running run and gives every field back after an update',
      withStore(async (store) => {
        const run = newRun('r1');
        await store.insert(run);
        expect(await store.get('r1')).toEqual(stored(run));
        const usage = { model: 'gpt-5-mini', total_tokens: 15, cost_usd: null };
        expect(
          await store.update('r1', {
            status: 'failed',
            finishedMs: 2_000,
            attempts: 2,
            usage,
            error: { code: 'llm_error', message: 'boom' },
            approvalIds: ['a1', 'a2'],
          }),
        ).toBe(true);
        expect(await store.get('r1')).toEqual(
          stored(run, {
            status: 'failed',
            finishedMs: 2_000,
            attempts: 2,
            usage,
            error: { code: 'llm_error', message: 'boom' },
            approvalIds: ['a1', 'a2'],
          }),
        );
        expect(await store.get('unknown')).toBeNull();
      }),
    );

    it(
      'never changes a finished run, and refuses a second row for one run id',
      withStore(async (store) => {
        await store.insert(newRun('r1'));
        expect(await store.update('r1', { status: 'waiting_approval' })).toBe(true);
        expect(await store.update('r1', { status: 'cancelled', finishedMs: 5 })).toBe(true);
        expect(await store.update('r1', { status: 'completed', finishedMs: 9 })).toBe(false);
        expect(await store.update('unknown', { status: 'completed' })).toBe(false);
        expect((await store.get('r1'))?.status).toBe('cancelled');
        await expect(store.insert(newRun('r1'))).rejects.toThrow();
      }),
    );

    it(
      'lists newest first, filtered, in pages that together hold every run once',
      withStore(async (store) => {
        for (let index = 0; index < 7; index++)
          await store.insert(newRun(`r${index}`, { sessionId: index % 2 ? 'odd' : 'even', startedMs: 1_000 }));
        await store.update('r2', { status: 'completed', finishedMs: 2_000 });
        const seen: string[] = [];
        let page = await store.list({}, 3);
        seen.push(...page.runs.map((run) => run.runId));
        while (page.next !== null) {
          page = await store.list({}, 3, page.next);
          seen.push(...page.runs.map((run) => run.runId));
        }
        expect(seen).toEqual(['r6', 'r5', 'r4', 'r3', 'r2', 'r1', 'r0']);
        expect((await store.list({ sessionId: 'odd' }, 10)).runs.map((run) => run.runId)).toEqual(['r5', 'r3', 'r1']);
        expect((await store.list({ status: 'completed' }, 10)).runs.map((run) => run.runId)).toEqual(['r2']);
        expect(await store.list({ sessionId: 'none' }, 10)).toEqual({ runs: [], next: null });
        expect((await store.list({}, 7)).next).toBeNull();
      }),
    );

    it(
      'turns running and paused runs into interrupted ones, leaving finished runs alone',
      withStore(async (store) => {
        await store.insert(newRun('running'));
        await store.insert(newRun('paused'));
        await store.insert(newRun('done'));
        await store.update('paused', { status: 'waiting_approval' });
        await store.update('done', { status: 'completed', finishedMs: 1_500 });
        expect(await store.interruptRunning(9_000)).toBe(2);
        expect(await store.get('running')).toEqual(
          stored(newRun('running'), { status: 'interrupted', finishedMs: 9_000 }),
        );
        expect((await store.get('paused'))?.status).toBe('interrupted');
        expect((await store.get('done'))?.finishedMs).toBe(1_500);
      }),
    );
  });
}
