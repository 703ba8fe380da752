// Time as a dependency, so tests can drive it.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** Unix epoch seconds as a float with microsecond precision, as the contract's timestamps are. */
export function toEpochSeconds(ms: number): number {
  return Math.round(ms * 1000) / 1_000_000;
}
