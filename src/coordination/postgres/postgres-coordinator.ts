// The PostgreSQL Coordinator: locks as leases every replica sees, sliding windows and strikes in shared tables.
import type { SQL } from 'bun';
import { hostname } from 'node:os';
import { toNumber } from '../../db/postgres/row-values';
import type { Clock } from '../../shared/clock';
import type { Logger } from '../../shared/logger';
import type { Admission, Coordinator, Lock, StrikePolicy } from '../coordinator.port';

/** A lock not renewed for this long is free for anyone: its holder died (kill -9, lost network). */
export const DEFAULT_LEASE_MS = 15_000;
/** Hits older than the largest window seen are swept this often (keys of clients that went away). */
const SWEEP_EVERY_MS = 60_000;

/** `name` as PostgreSQL text, which cannot hold NUL (the lock names' separator): escaped one to one. */
function asText(name: string): string {
  return name.replaceAll('\\', '\\\\').replaceAll('\u0000', '\\0');
}

/** The name `asText` made `text` of. A name starts with a prefix exactly when their texts do (no escape is cut). */
function fromText(text: string): string {
  return text.replace(/\\(.)/gs, (_, escaped: string) => (escaped === '0' ? '\u0000' : escaped));
}

export interface PostgresCoordinatorOptions {
  sql: SQL;
  /** Time of the sliding windows and strikes (lease expiry uses the database's clock, the same for every replica). */
  clock: Clock;
  logger?: Logger;
  /** How long a lock outlives its holder's last renewal. Renewed every third of it while held. */
  leaseMs?: number;
}

export interface PostgresCoordinator extends Coordinator {
  /** This process's name in `coordinator_locks.owner`. */
  readonly owner: string;
}

/**
 * Locks are rows of `coordinator_locks` with an expiry: taken when absent or expired, renewed while held,
 * deleted on release. A replica that dies stops renewing, and its locks are free one lease later. Each
 * acquisition has its own token, so a late second release never frees a later holder. Windows and strikes
 * are serialised per key by a transaction-scoped advisory lock. `close()` releases this process's locks;
 * the buckets stay, since the other replicas share them.
 */
export function createPostgresCoordinator(options: PostgresCoordinatorOptions): PostgresCoordinator {
  const { sql, clock, logger } = options;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const owner = `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
  const held = new Map<string, string>();
  let widestWindowMs = 0;
  let lastSweepMs = clock.nowMs();

  const renew = async () => {
    if (held.size === 0) return;
    try {
      await sql`UPDATE coordinator_locks SET expires_at = clock_timestamp() + ${leaseMs} * interval '1 millisecond'
        WHERE owner = ${owner}`;
    } catch (error) {
      logger?.warn('could not renew coordinator leases', { error: String(error) });
    }
  };
  const renewer = setInterval(() => void renew(), Math.max(100, Math.floor(leaseMs / 3)));
  renewer.unref();

  const sweep = async (now: number) => {
    if (now - lastSweepMs < SWEEP_EVERY_MS) return;
    lastSweepMs = now;
    await sql`DELETE FROM coordinator_hits WHERE at_ms <= ${now - widestWindowMs}`;
  };

  const tryLock = async (lockName: string): Promise<Lock | null> => {
    const name = asText(lockName);
    const token = crypto.randomUUID();
    const rows = await sql`INSERT INTO coordinator_locks (name, token, owner, expires_at)
      VALUES (${name}, ${token}, ${owner}, clock_timestamp() + ${leaseMs} * interval '1 millisecond')
      ON CONFLICT (name) DO UPDATE SET token = excluded.token, owner = excluded.owner, expires_at = excluded.expires_at
        WHERE coordinator_locks.expires_at < clock_timestamp()
      RETURNING token`;
    if (rows.length === 0) return null;
    held.set(name, token);
    let released = false;
    return {
      name: lockName,
      async release() {
        if (released) return;
        released = true;
        if (held.get(name) === token) held.delete(name);
        try {
          await sql`DELETE FROM coordinator_locks WHERE name = ${name} AND token = ${token}`;
        } catch (error) {
          // The database is away: no longer renewed, the row lapses one lease later. Callers release in `finally`
          // and in `.then` chains nobody awaits, where a rejection hid their outcome or ended the process.
          logger?.warn('lock not released; it lapses with its lease', { lock: lockName, error: String(error) });
        }
      },
    };
  };

  const admit = async (rawKey: string, limit: number, windowMs: number): Promise<Admission> => {
    const key = asText(rawKey);
    const now = clock.nowMs();
    widestWindowMs = Math.max(widestWindowMs, windowMs);
    const admission = await sql.begin(async (tx): Promise<Admission> => {
      await tx`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
      await tx`DELETE FROM coordinator_hits WHERE key = ${key} AND at_ms <= ${now - windowMs}`;
      const [row] =
        await tx`SELECT count(*)::integer AS n, min(at_ms) AS oldest FROM coordinator_hits WHERE key = ${key}`;
      if (row.n >= limit) return { admitted: false, retryAfterMs: toNumber(row.oldest) + windowMs - now };
      await tx`INSERT INTO coordinator_hits (key, at_ms) VALUES (${key}, ${now})`;
      return { admitted: true };
    });
    await sweep(now);
    return admission;
  };

  const strike = async (rawKey: string, policy: StrikePolicy): Promise<number> => {
    const key = asText(rawKey);
    const now = clock.nowMs();
    return await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 1))`;
      const [row] = await tx`SELECT stamps FROM coordinator_strikes WHERE key = ${key}`;
      const previous: unknown[] = row?.stamps ?? [];
      const stamps = [...previous.map(toNumber).filter((stamp) => now - stamp < policy.windowMs), now];
      const blocks = stamps.length >= policy.maxStrikes;
      const kept = blocks ? [] : stamps;
      const blockedUntil = blocks ? now + policy.blockMs : null;
      await tx`INSERT INTO coordinator_strikes (key, stamps, window_ms, blocked_until_ms)
        VALUES (${key}, ${`{${kept.join(',')}}`}::bigint[], ${policy.windowMs}, ${blockedUntil ?? 0})
        ON CONFLICT (key) DO UPDATE SET stamps = excluded.stamps, window_ms = excluded.window_ms,
          blocked_until_ms = CASE WHEN ${blocks} THEN excluded.blocked_until_ms ELSE coordinator_strikes.blocked_until_ms END`;
      return blocks ? policy.blockMs : 0;
    });
  };

  return {
    owner,
    tryLock,
    async isLocked(name) {
      const [row] = await sql`SELECT EXISTS (SELECT 1 FROM coordinator_locks
        WHERE name = ${asText(name)} AND expires_at >= clock_timestamp()) AS locked`;
      return row.locked === true;
    },
    async heldLocks(prefixes) {
      const found = await Promise.all(
        prefixes.map(async (prefix) => {
          const text = asText(prefix);
          const rows: { name: string }[] = await sql`SELECT name FROM coordinator_locks
            WHERE left(name, char_length(${text})) = ${text} AND expires_at >= clock_timestamp()`;
          return rows.map((row) => fromText(row.name));
        }),
      );
      return [...new Set(found.flat())];
    },
    admit,
    strike,
    async blockedFor(key) {
      const [row] = await sql`SELECT blocked_until_ms FROM coordinator_strikes WHERE key = ${asText(key)}`;
      return row ? Math.max(0, toNumber(row.blocked_until_ms) - clock.nowMs()) : 0;
    },
    async close() {
      clearInterval(renewer);
      held.clear();
      await sql`DELETE FROM coordinator_locks WHERE owner = ${owner}`;
    },
  };
}
