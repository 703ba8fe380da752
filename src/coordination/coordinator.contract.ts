// The behaviour every Coordinator adapter must show; each adapter's test runs this suite against it.
import { describe, expect, it } from 'bun:test';
import type { Coordinator } from './coordinator.port';

/** A clock the suite moves by hand. */
export interface ManualClock {
  nowMs(): number;
  advance(ms: number): void;
}

export function manualClock(startMs = 1_800_000_000_000): ManualClock {
  let now = startMs;
  return { nowMs: () => now, advance: (ms) => void (now += ms) };
}

export interface CoordinatorContractOptions {
  /** The buckets live in storage other holders share, so `close()` keeps them (the locks still go). */
  sharedBuckets?: boolean;
}

/** Runs the contract against coordinators made by `make` (a fresh one per test, reading `clock`). */
export function describeCoordinatorContract(
  adapter: string,
  make: (clock: ManualClock) => Coordinator | Promise<Coordinator>,
  options: CoordinatorContractOptions = {},
): void {
  const fresh = async () => {
    const clock = manualClock();
    return { clock, coordinator: await make(clock) };
  };

  describe(`Coordinator contract (${adapter}): locks`, () => {
    it('gives a lock to one holder at a time and to the next after release', async () => {
      const { coordinator } = await fresh();
      const first = await coordinator.tryLock('a');
      expect(first?.name).toBe('a');
      expect(await coordinator.tryLock('a')).toBeNull();
      expect(await coordinator.isLocked('a')).toBe(true);
      expect(await coordinator.isLocked('b')).toBe(false);
      await first!.release();
      expect(await coordinator.isLocked('a')).toBe(false);
      expect(await coordinator.tryLock('a')).not.toBeNull();
    });

    it('grants exactly one of many simultaneous claims', async () => {
      const { coordinator } = await fresh();
      const claims = await Promise.all(Array.from({ length: 20 }, () => coordinator.tryLock('job')));
      expect(claims.filter((claim) => claim !== null)).toHaveLength(1);
    });

    it('ignores a second release, which never frees a later holder', async () => {
      const { coordinator } = await fresh();
      const first = (await coordinator.tryLock('a'))!;
      await first.release();
      const second = (await coordinator.tryLock('a'))!;
      await first.release();
      expect(await coordinator.isLocked('a')).toBe(true);
      await second.release();
      expect(await coordinator.isLocked('a')).toBe(false);
    });

    it('takes names as the domains spell them (NUL separators, backslashes) and keeps look-alikes apart', async () => {
      const { coordinator } = await fresh();
      const lock = await coordinator.tryLock('session-run\u0000default\u0000s1');
      expect(lock?.name).toBe('session-run\u0000default\u0000s1');
      expect(await coordinator.tryLock('session-run\\0default\\0s1')).not.toBeNull();
      expect(await coordinator.isLocked('session-run\u0000default\u0000s1')).toBe(true);
      expect(await coordinator.admit('rate\u0000client\u0000chat', 1, 1_000)).toEqual({ admitted: true });
      expect(await coordinator.strike('auth\u0000client', { maxStrikes: 1, windowMs: 1_000, blockMs: 5_000 })).toBe(
        5_000,
      );
      expect(await coordinator.blockedFor('auth\u0000client')).toBe(5_000);
    });

    it('lists the held locks whose names start with a prefix', async () => {
      const { coordinator } = await fresh();
      const turn = (await coordinator.tryLock('session-run\u0000a\u0000s1'))!;
      await coordinator.tryLock('cron-job\u0000a\u0000j1');
      await coordinator.tryLock('session-run\u0000ab\u0000s2');
      await coordinator.tryLock('back\\slash');
      const prefixes = ['session-run\u0000a\u0000', 'cron-job\u0000a\u0000'];
      expect((await coordinator.heldLocks(prefixes)).sort()).toEqual([
        'cron-job\u0000a\u0000j1',
        'session-run\u0000a\u0000s1',
      ]);
      expect(await coordinator.heldLocks(['back\\'])).toEqual(['back\\slash']);
      // Look-alikes of escaped text are other names.
      expect(await coordinator.heldLocks(['session-run\\0', 'back\\\\'])).toEqual([]);
      expect(await coordinator.heldLocks([])).toEqual([]);
      await turn.release();
      expect(await coordinator.heldLocks(prefixes)).toEqual(['cron-job\u0000a\u0000j1']);
    });

    it('keeps locks of different names apart', async () => {
      const { coordinator } = await fresh();
      expect(await coordinator.tryLock('a')).not.toBeNull();
      expect(await coordinator.tryLock('b')).not.toBeNull();
    });
  });

  describe(`Coordinator contract (${adapter}): sliding windows`, () => {
    it('admits `limit` hits per window and says when the oldest leaves it', async () => {
      const { coordinator, clock } = await fresh();
      expect(await coordinator.admit('k', 2, 60_000)).toEqual({ admitted: true });
      clock.advance(10_000);
      expect(await coordinator.admit('k', 2, 60_000)).toEqual({ admitted: true });
      clock.advance(5_000);
      expect(await coordinator.admit('k', 2, 60_000)).toEqual({ admitted: false, retryAfterMs: 45_000 });
      clock.advance(45_000);
      expect(await coordinator.admit('k', 2, 60_000)).toEqual({ admitted: true });
      expect(await coordinator.admit('k', 2, 60_000)).toEqual({ admitted: false, retryAfterMs: 10_000 });
    });

    it('does not count refused hits, and keeps keys apart', async () => {
      const { coordinator, clock } = await fresh();
      expect(await coordinator.admit('k', 1, 1_000)).toEqual({ admitted: true });
      for (let index = 0; index < 5; index++) expect((await coordinator.admit('k', 1, 1_000)).admitted).toBe(false);
      expect(await coordinator.admit('other', 1, 1_000)).toEqual({ admitted: true });
      clock.advance(1_000);
      expect(await coordinator.admit('k', 1, 1_000)).toEqual({ admitted: true });
    });
  });

  describe(`Coordinator contract (${adapter}): strikes`, () => {
    const policy = { maxStrikes: 3, windowMs: 60_000, blockMs: 300_000 };

    it('blocks a key at the last strike within the window, for the block time', async () => {
      const { coordinator, clock } = await fresh();
      expect(await coordinator.strike('c', policy)).toBe(0);
      expect(await coordinator.strike('c', policy)).toBe(0);
      expect(await coordinator.blockedFor('c')).toBe(0);
      expect(await coordinator.strike('c', policy)).toBe(300_000);
      clock.advance(100_000);
      expect(await coordinator.blockedFor('c')).toBe(200_000);
      expect(await coordinator.blockedFor('other')).toBe(0);
      clock.advance(200_000);
      expect(await coordinator.blockedFor('c')).toBe(0);
    });

    it('forgets strikes older than the window, and those that led to a block', async () => {
      const { coordinator, clock } = await fresh();
      await coordinator.strike('c', policy);
      await coordinator.strike('c', policy);
      clock.advance(60_000);
      expect(await coordinator.strike('c', policy)).toBe(0);
      expect(await coordinator.strike('c', policy)).toBe(0);
      expect(await coordinator.strike('c', policy)).toBe(300_000);
      clock.advance(300_000);
      expect(await coordinator.strike('c', policy)).toBe(0);
    });
  });

  describe(`Coordinator contract (${adapter}): close`, () => {
    it(
      options.sharedBuckets
        ? 'releases every lock it holds and keeps the shared buckets'
        : 'releases every lock and forgets every bucket',
      async () => {
        const { coordinator } = await fresh();
        await coordinator.tryLock('a');
        await coordinator.admit('k', 1, 60_000);
        await coordinator.close();
        expect(await coordinator.isLocked('a')).toBe(false);
        expect((await coordinator.admit('k', 1, 60_000)).admitted).toBe(!options.sharedBuckets);
      },
    );
  });
}
