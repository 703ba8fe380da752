// The PostgreSQL Coordinator against the port's contract (a fresh database per test), and what only a shared one does: leases.
import { afterAll, expect, it } from 'bun:test';
import type { SQL } from 'bun';
import { waitFor } from '../../../test/support/scheduler-fixture';
import { describeWithPostgres } from '../../../test/support/postgres-database';
import { POSTGRES_MIGRATIONS } from '../../db/postgres/postgres-db.schema';
import { applyPostgresMigrations } from '../../db/postgres/postgres-migrations';
import { openPostgresPool } from '../../db/postgres/postgres-pool';
import { systemClock } from '../../shared/clock';
import { describeCoordinatorContract } from '../coordinator.contract';
import { createPostgresCoordinator } from './postgres-coordinator';

describeWithPostgres('postgres coordinator', (database) => {
  const pools: SQL[] = [];
  afterAll(async () => {
    for (const pool of pools) await pool.close({ timeout: 1 });
  });

  describeCoordinatorContract(
    'postgres',
    async (clock) => {
      // Lock names and bucket keys repeat across the suite's tests, so each gets a database of its own.
      const sql = openPostgresPool({ url: await database.cluster.createDatabase(), poolSize: 4 });
      pools.push(sql);
      await applyPostgresMigrations(sql, POSTGRES_MIGRATIONS);
      return createPostgresCoordinator({ sql, clock });
    },
    { sharedBuckets: true },
  );

  it('shares locks and buckets between two coordinators on one database', async () => {
    const first = createPostgresCoordinator({ sql: database.sql, clock: systemClock });
    const second = createPostgresCoordinator({ sql: database.sql, clock: systemClock });
    const lock = (await first.tryLock('shared-lock'))!;
    expect(await second.tryLock('shared-lock')).toBeNull();
    expect(await second.isLocked('shared-lock')).toBe(true);
    await lock.release();
    expect(await second.tryLock('shared-lock')).not.toBeNull();
    expect(await first.admit('shared-key', 1, 60_000)).toEqual({ admitted: true });
    expect((await second.admit('shared-key', 1, 60_000)).admitted).toBe(false);
    await first.close();
    await second.close();
  });

  it('keeps a lock while its holder renews it, and frees it once the holder stops renewing', async () => {
    const holder = createPostgresCoordinator({ sql: database.sql, clock: systemClock, leaseMs: 300 });
    const other = createPostgresCoordinator({ sql: database.sql, clock: systemClock, leaseMs: 300 });
    expect(await holder.tryLock('lease')).not.toBeNull();
    const expiry = async () =>
      (await database.sql`SELECT expires_at FROM coordinator_locks WHERE name = 'lease'`)[0].expires_at as Date;
    const first = (await expiry()).getTime();
    // Renewed past three of its first leases: the holder's lease outlived them, and nobody else got the lock.
    await waitFor(async () => ((await expiry()).getTime() > first + 900 ? true : undefined), 5_000);
    expect(await other.tryLock('lease')).toBeNull();
    // A holder that dies stops renewing: simulated by dropping its timer without deleting its rows.
    await database.sql`UPDATE coordinator_locks SET owner = 'dead-replica' WHERE owner = ${holder.owner}`;
    expect(await other.heldLocks(['lea'])).toEqual(['lease']);
    // A lapsed lease is held by nobody.
    await waitFor(async () => ((await other.heldLocks(['lea'])).length === 0 ? true : undefined), 5_000);
    const taken = await waitFor(async () => (await other.tryLock('lease')) ?? undefined, 5_000);
    expect(taken.name).toBe('lease');
    await holder.close();
    await other.close();
  });

  it('resolves a release while the database is away, and the lock lapses with its lease', async () => {
    const holder = createPostgresCoordinator({ sql: database.sql, clock: systemClock, leaseMs: 300 });
    const other = createPostgresCoordinator({ sql: database.sql, clock: systemClock, leaseMs: 300 });
    const lock = (await holder.tryLock('away'))!;
    await database.cluster.stop();
    try {
      // A rejection here ended the server (a run's lock is released in a chain nobody awaits).
      expect(await lock.release()).toBeUndefined();
    } finally {
      await database.cluster.start();
    }
    const taken = await waitFor(async () => (await other.tryLock('away').catch(() => null)) ?? undefined, 10_000);
    expect(taken.name).toBe('away');
    await holder.close();
    await other.close();
  });
});
