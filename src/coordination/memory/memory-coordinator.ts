// The in-memory Coordinator adapter: locks and buckets of one process, with bounded memory.
import type { Clock } from '../../shared/clock';
import type { Admission, Coordinator, Lock, StrikePolicy } from '../coordinator.port';

/** Buckets kept before the expired ones are swept out (a flood of distinct clients stays bounded). */
const MAX_BUCKETS = 50_000;

interface WindowBucket {
  stamps: number[];
  windowMs: number;
}

interface StrikeBucket {
  stamps: number[];
  windowMs: number;
  blockedUntil: number;
}

/**
 * Every change happens when the method is called (the returned promise is already settled), so a
 * release is seen by the very next `tryLock`, as one process's callers expect.
 */
export function createMemoryCoordinator(clock: Clock): Coordinator {
  const locks = new Map<string, symbol>();
  const windows = new Map<string, WindowBucket>();
  const strikes = new Map<string, StrikeBucket>();
  let lastSweep = clock.nowMs();

  const sweepWindows = (now: number) => {
    for (const [key, bucket] of windows) {
      const newest = bucket.stamps[bucket.stamps.length - 1];
      if (newest === undefined || now - newest >= bucket.windowMs) windows.delete(key);
    }
    lastSweep = now;
  };

  const sweepStrikes = (now: number) => {
    for (const [key, bucket] of strikes) {
      const newest = bucket.stamps[bucket.stamps.length - 1];
      const forgotten = newest === undefined || now - newest >= bucket.windowMs;
      if (bucket.blockedUntil <= now && forgotten) strikes.delete(key);
    }
  };

  const admit = (key: string, limit: number, windowMs: number): Admission => {
    const now = clock.nowMs();
    if (now - lastSweep >= windowMs || windows.size > MAX_BUCKETS) sweepWindows(now);
    const bucket = windows.get(key) ?? { stamps: [], windowMs };
    const { stamps } = bucket;
    while (stamps.length > 0 && now - stamps[0]! >= windowMs) stamps.shift();
    if (stamps.length >= limit) return { admitted: false, retryAfterMs: stamps[0]! + windowMs - now };
    stamps.push(now);
    windows.set(key, bucket);
    return { admitted: true };
  };

  const strike = (key: string, policy: StrikePolicy): number => {
    const now = clock.nowMs();
    if (strikes.size > MAX_BUCKETS) sweepStrikes(now);
    const bucket = strikes.get(key) ?? { stamps: [], windowMs: policy.windowMs, blockedUntil: 0 };
    bucket.stamps = bucket.stamps.filter((stamp) => now - stamp < policy.windowMs);
    bucket.stamps.push(now);
    bucket.windowMs = policy.windowMs;
    strikes.set(key, bucket);
    if (bucket.stamps.length < policy.maxStrikes) return 0;
    bucket.stamps = [];
    bucket.blockedUntil = now + policy.blockMs;
    return policy.blockMs;
  };

  const blockedFor = (key: string): number => {
    const until = strikes.get(key)?.blockedUntil ?? 0;
    return Math.max(0, until - clock.nowMs());
  };

  const tryLock = (name: string): Lock | null => {
    if (locks.has(name)) return null;
    const token = Symbol(name);
    locks.set(name, token);
    return {
      name,
      release: () => {
        if (locks.get(name) === token) locks.delete(name);
        return Promise.resolve();
      },
    };
  };

  return {
    tryLock: (name) => Promise.resolve(tryLock(name)),
    isLocked: (name) => Promise.resolve(locks.has(name)),
    heldLocks: (prefixes) =>
      Promise.resolve([...locks.keys()].filter((name) => prefixes.some((prefix) => name.startsWith(prefix)))),
    admit: (key, limit, windowMs) => Promise.resolve(admit(key, limit, windowMs)),
    strike: (key, policy) => Promise.resolve(strike(key, policy)),
    blockedFor: (key) => Promise.resolve(blockedFor(key)),
    close() {
      locks.clear();
      windows.clear();
      strikes.clear();
      return Promise.resolve();
    },
  };
}
