// One timer that wakes at an instant, however far away (setTimeout alone stops at 2^31−1 ms).
import type { Clock } from '../shared/clock';

export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface WakeTimer {
  /** Calls `onWake` once at `atMs` (at once when past); replaces any earlier arming. */
  arm(atMs: number): void;
  disarm(): void;
  /** The instant armed, or null. */
  readonly armedAt: number | null;
}

export function createWakeTimer(clock: Clock, timers: Timers, onWake: () => void): WakeTimer {
  let handle: unknown = null;
  let target: number | null = null;
  const schedule = () => {
    if (target === null) return;
    const delay = target - clock.nowMs();
    if (delay <= 0) {
      target = null;
      handle = null;
      onWake();
      return;
    }
    // A far target is reached in hops of the longest delay setTimeout accepts.
    handle = timers.setTimeout(schedule, Math.min(delay, MAX_TIMEOUT_MS));
  };
  const disarm = () => {
    if (handle !== null) timers.clearTimeout(handle);
    handle = null;
    target = null;
  };
  return {
    arm(atMs) {
      disarm();
      target = atMs;
      handle = timers.setTimeout(schedule, Math.min(Math.max(atMs - clock.nowMs(), 0), MAX_TIMEOUT_MS));
    },
    disarm,
    get armedAt() {
      return target;
    },
  };
}
