// A timer for delays past what setTimeout honours (2^31-1 ms, 24.8 days; a longer delay fires at once).

/** The longest delay setTimeout honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Calls `fire` after `delayMs` (in hops of at most 24.8 days); the timer never keeps the process alive. */
export function setLongTimeout(delayMs: number, fire: () => void): { clear(): void } {
  let remaining = Math.max(0, delayMs);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    const hop = Math.min(remaining, MAX_TIMER_MS);
    remaining -= hop;
    timer = setTimeout(() => (remaining > 0 ? arm() : fire()), hop);
    timer.unref?.();
  };
  arm();
  return { clear: () => clearTimeout(timer) };
}
