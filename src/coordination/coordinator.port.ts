// The Coordinator port: what several requests (and, with a shared database, several replicas) must agree on.

/** A held lock. */
export interface Lock {
  readonly name: string;
  /**
   * Lets the lock go; idempotent, and never rejects: a database adapter that cannot reach its database stops
   * renewing the lock, which then lapses one lease later.
   */
  release(): Promise<void>;
}

/** A sliding-window decision: admitted (and counted), or refused with the wait until a slot frees. */
export type Admission = { admitted: true } | { admitted: false; retryAfterMs: number };

/** `maxStrikes` strikes within `windowMs` block a key for `blockMs` (and forget its strikes). */
export interface StrikePolicy {
  maxStrikes: number;
  windowMs: number;
  blockMs: number;
}

/**
 * Run locks, job claims and request buckets. Every adapter answers the same contract
 * (coordinator.contract.ts): the in-memory one serves one process; a database-backed one serves every
 * replica sharing the database. Names and keys are opaque strings (see lock-names.ts for the locks).
 */
export interface Coordinator {
  /**
   * Takes lock `name`, or answers null while someone holds it. A lock lives until released; a holder
   * that dies loses it (the process for the in-memory adapter; a lease expiry for a database).
   */
  tryLock(name: string): Promise<Lock | null>;
  /** Whether lock `name` is held now. */
  isLocked(name: string): Promise<boolean>;
  /** The names of the locks held now (by anyone) that start with one of `prefixes`, in no particular order. */
  heldLocks(prefixes: readonly string[]): Promise<string[]>;
  /**
   * Admits one hit under `key` unless `limit` hits were admitted within the last `windowMs` (a sliding
   * window); a refused hit is not counted, and `retryAfterMs` says when the oldest one leaves the window.
   */
  admit(key: string, limit: number, windowMs: number): Promise<Admission>;
  /** Counts a strike against `key`; returns how long the key is blocked from now (ms) when this strike blocked it, else 0. */
  strike(key: string, policy: StrikePolicy): Promise<number>;
  /** Milliseconds `key` stays blocked, 0 when it is not. */
  blockedFor(key: string): Promise<number>;
  /** Releases every lock this coordinator handed out and drops its buckets (shutdown). */
  close(): Promise<void>;
}
