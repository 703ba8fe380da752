import { describe, expect, it } from 'bun:test';
import { createWakeTimer, MAX_TIMEOUT_MS, type Timers } from './wake-timer';

/** Timers and a clock that only move when the test says so. */
function manualTime(startMs: number) {
  let now = startMs;
  const pending = new Map<number, { at: number; callback: () => void }>();
  let nextHandle = 1;
  const timers: Timers = {
    setTimeout(callback, ms) {
      const handle = nextHandle++;
      pending.set(handle, { at: now + ms, callback });
      return handle;
    },
    clearTimeout: (handle) => void pending.delete(handle as number),
  };
  return {
    clock: { nowMs: () => now },
    timers,
    delays: () => [...pending.values()].map((entry) => entry.at - now),
    /** Moves time to `toMs`, firing due callbacks in order. */
    advance(toMs: number) {
      while (true) {
        const due = [...pending.entries()].filter(([, entry]) => entry.at <= toMs).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = toMs;
    },
  };
}

describe('createWakeTimer', () => {
  it('wakes once at the armed instant and re-arming replaces the earlier one', () => {
    const time = manualTime(1000);
    const wakes: number[] = [];
    const timer = createWakeTimer(time.clock, time.timers, () => wakes.push(time.clock.nowMs()));
    timer.arm(5000);
    timer.arm(3000);
    expect(time.delays()).toEqual([2000]);
    time.advance(10_000);
    expect(wakes).toEqual([3000]);
    expect(timer.armedAt).toBeNull();
  });

  it('reaches an instant beyond the longest setTimeout in hops, waking only at the end', () => {
    const time = manualTime(0);
    const wakes: number[] = [];
    const timer = createWakeTimer(time.clock, time.timers, () => wakes.push(time.clock.nowMs()));
    const target = 60 * 86_400_000;
    timer.arm(target);
    expect(time.delays()).toEqual([MAX_TIMEOUT_MS]);
    time.advance(target - 1);
    expect(wakes).toEqual([]);
    time.advance(target);
    expect(wakes).toEqual([target]);
  });

  it('stays silent once disarmed', () => {
    const time = manualTime(0);
    let woke = false;
    const timer = createWakeTimer(time.clock, time.timers, () => (woke = true));
    timer.arm(100);
    timer.disarm();
    time.advance(1000);
    expect(woke).toBe(false);
    expect(time.delays()).toEqual([]);
  });
});
