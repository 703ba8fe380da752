// The behaviour every HeartbeatStore adapter must show; each adapter's test runs this suite against it.
import { describe, expect, it } from 'bun:test';
import type { HeartbeatRun, HeartbeatStore } from './scheduler.port';

const row = (timestampMs: number, values: Partial<HeartbeatRun> = {}): HeartbeatRun => ({
  timestampMs,
  status: 'ok',
  timezone: 'UTC',
  trigger: 'scheduled',
  scheduledMs: timestampMs,
  scheduleLagMs: 3,
  durationMs: 40,
  runId: 'run',
  sessionId: '__heartbeat__',
  details: { suppressed: true },
  ...values,
});

export function describeHeartbeatStoreContract(
  adapter: string,
  make: () => { store: HeartbeatStore; close(): void },
): void {
  describe(`HeartbeatStore contract (${adapter})`, () => {
    it('keeps every field, lists newest first, and keeps only the newest `keep` rows', async () => {
      const { store, close } = make();
      try {
        const skipped = row(2, {
          status: 'skipped_outside_window',
          scheduleLagMs: null,
          durationMs: null,
          runId: null,
          sessionId: null,
          details: { local_hour: 3 },
        });
        await store.insert(row(1), 10);
        await store.insert(skipped, 10);
        expect(await store.list(10)).toEqual([skipped, row(1)]);
        expect(await store.list(1)).toEqual([skipped]);
        for (const at of [3, 4, 5]) await store.insert(row(at), 3);
        expect((await store.list(10)).map((entry) => entry.timestampMs)).toEqual([5, 4, 3]);
      } finally {
        close();
      }
    });

    it('knows when the last scheduled tick was due, ignoring manual ones', async () => {
      const { store, close } = make();
      try {
        expect(await store.lastScheduledMs()).toBeNull();
        await store.insert(row(1, { scheduledMs: 100 }), 10);
        await store.insert(row(2, { trigger: 'manual', scheduledMs: null }), 10);
        await store.insert(row(3, { scheduledMs: 50 }), 10);
        expect(await store.lastScheduledMs()).toBe(100);
      } finally {
        close();
      }
    });

    it('shows a tick waiting for an approval, then lets the final row take its place; a stop interrupts it', async () => {
      const { store, close } = make();
      try {
        await store.insert(row(1, { runId: 'before' }), 10);
        await store.setWaiting(row(2, { runId: 'r2', status: 'ok' }), true);
        expect((await store.list(10)).map((entry) => [entry.runId, entry.status])).toEqual([
          ['r2', 'waiting_approval'],
          ['before', 'ok'],
        ]);
        expect(await store.waitingSessions()).toEqual(['__heartbeat__']);
        await store.setWaiting(row(2, { runId: 'r2' }), false);
        await store.insert(row(3, { runId: 'r2' }), 10);
        expect((await store.list(10)).map((entry) => [entry.runId, entry.status])).toEqual([
          ['r2', 'ok'],
          ['before', 'ok'],
        ]);
        await store.setWaiting(row(4, { runId: 'r4', sessionId: 'a' }), true);
        await store.setWaiting(row(5, { runId: 'r5', sessionId: 'b' }), true);
        expect(await store.interruptWaiting(['a', 'none'], 'stopped')).toBe(1);
        const [latest, interrupted] = await store.list(2);
        expect(latest).toMatchObject({ runId: 'r5', status: 'waiting_approval' });
        expect(interrupted).toMatchObject({
          runId: 'r4',
          status: 'interrupted',
          details: { suppressed: true, reason: 'stopped' },
        });
        expect(await store.waitingSessions()).toEqual(['b']);
      } finally {
        close();
      }
    });
  });
}
