import { describe, expect, it } from 'bun:test';
import { heapStats } from 'bun:jsc';
import { followSignals } from './follow-signals';

/** AbortSignal cells alive after a full collection. */
function liveSignals(): number {
  Bun.gc(true);
  return heapStats().objectTypeCounts.AbortSignal ?? 0;
}

describe('followSignals', () => {
  it('aborts with the reason of the first source that aborts, or at once when one already has', () => {
    const agent = new AbortController();
    const run = new AbortController();
    const followed = followSignals([agent.signal, run.signal], new Promise(() => undefined));
    expect(followed.aborted).toBe(false);
    run.abort(new Error('cancelled'));
    expect(followed.aborted).toBe(true);
    expect((followed.reason as Error).message).toBe('cancelled');
    agent.abort(new Error('deleted'));
    expect((followed.reason as Error).message).toBe('cancelled');

    const late = followSignals([agent.signal, new AbortController().signal], Promise.resolve());
    expect(late.aborted).toBe(true);
    expect((late.reason as Error).message).toBe('deleted');
  });

  it('stops following once its work has settled, failed work too', async () => {
    const agent = new AbortController();
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const followed = followSignals([agent.signal], done);
    const failed = Promise.reject(new Error('turn failed'));
    const afterFailure = followSignals([agent.signal], failed);
    finish();
    await done;
    await failed.catch(() => undefined);
    agent.abort();
    expect(followed.aborted).toBe(false);
    expect(afterFailure.aborted).toBe(false);
  });

  // What it replaces: AbortSignal.any over a long-lived source keeps every result (and its listeners) alive.
  it('leaves nothing reachable from a long-lived source once the work is done', async () => {
    const agent = new AbortController();
    const rounds = 2000;
    const held: AbortSignal[] = [];
    const combine = async (keep: boolean) => {
      const before = liveSignals();
      for (let round = 0; round < rounds; round++) {
        const run = new AbortController();
        const done = Promise.resolve();
        const followed = followSignals([agent.signal, run.signal], done);
        followed.addEventListener('abort', () => run.abort());
        if (keep) held.push(followed);
        await done;
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
      return liveSignals() - before;
    };
    // The count sees signals still referenced (each round's own and its follower)...
    expect(await combine(true)).toBeGreaterThanOrEqual(rounds);
    // ...and none of those the long-lived source alone would keep.
    expect(await combine(false)).toBeLessThan(rounds / 10);
    expect(held).toHaveLength(rounds);
  });
});
