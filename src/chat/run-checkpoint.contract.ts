// The behaviour every RunCheckpointStore adapter must show; each adapter's test runs this suite against it.
import { describe, expect, it } from 'bun:test';
import type { RunCheckpoint, RunCheckpointStore } from './run-checkpoint.port';

const checkpoint = (runId: string, overrides: Partial<RunCheckpoint> = {}): RunCheckpoint => ({
  runId,
  sessionId: 's1',
  state: { version: 1, steps: [{ role: 'assistant', content: 'héllo "quoted"', toolCalls: [] }], nested: { n: 1.5 } },
  updatedMs: 1_000,
  ...overrides,
});

export function describeRunCheckpointStoreContract(
  adapter: string,
  make: () => { store: RunCheckpointStore; close(): void },
): void {
  const withStore = (test: (store: RunCheckpointStore) => Promise<void>) => async () => {
    const { store, close } = make();
    try {
      await test(store);
    } finally {
      close();
    }
  };

  describe(`RunCheckpointStore contract (${adapter})`, () => {
    it(
      'gives a stored checkpoint back as it was, and nothing for an unknown run',
      withStore(async (store) => {
        await store.put(checkpoint('r1'));
        expect(await store.get('r1')).toEqual(checkpoint('r1'));
        expect(await store.get('nope')).toBeNull();
      }),
    );

    it(
      'replaces the checkpoint of a run put again',
      withStore(async (store) => {
        await store.put(checkpoint('r1'));
        await store.put(checkpoint('r1', { state: { version: 1, steps: [] }, updatedMs: 2_000 }));
        expect(await store.get('r1')).toEqual(checkpoint('r1', { state: { version: 1, steps: [] }, updatedMs: 2_000 }));
        expect(await store.list(10)).toHaveLength(1);
      }),
    );

    it(
      'lists the oldest first, at most the limit',
      withStore(async (store) => {
        await store.put(checkpoint('late', { updatedMs: 3_000 }));
        await store.put(checkpoint('early', { updatedMs: 1_000, sessionId: 's2' }));
        await store.put(checkpoint('middle', { updatedMs: 2_000 }));
        expect((await store.list(10)).map((row) => row.runId)).toEqual(['early', 'middle', 'late']);
        expect((await store.list(2)).map((row) => row.runId)).toEqual(['early', 'middle']);
      }),
    );

    it(
      'deletes once: true for a stored checkpoint, false after',
      withStore(async (store) => {
        await store.put(checkpoint('r1'));
        expect(await store.delete('r1')).toBe(true);
        expect(await store.delete('r1')).toBe(false);
        expect(await store.get('r1')).toBeNull();
      }),
    );
  });
}
