import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { waitFor } from '../../../test/support/scheduler-fixture';
import {
  postgresUnavailableReason,
  startPostgresCluster,
  type PostgresCluster,
} from '../../../test/support/postgres-cluster';
import { openPostgresPool, probePostgres } from './postgres-pool';

const skipReason = postgresUnavailableReason();
if (skipReason) console.log(`postgres pool tests skipped: ${skipReason}`);

const GATE_KEY = 4242;

describe.skipIf(skipReason !== null)('openPostgresPool and probePostgres', () => {
  let cluster: PostgresCluster;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
  }, 60_000);
  afterAll(async () => {
    await cluster?.[Symbol.asyncDispose]();
  });

  it('opens at most poolSize connections however many queries wait, tagged with the application name', async () => {
    const url = await cluster.createDatabase();
    await using admin = openPostgresPool({ url, poolSize: 2, applicationName: 'gatekeeper' });
    await using sql = openPostgresPool({ url, poolSize: 2, applicationName: 'pool-under-test' });
    const connections = async () =>
      Number(
        (await admin`SELECT count(*)::integer AS n FROM pg_stat_activity WHERE application_name = 'pool-under-test'`)[0]
          .n,
      );

    const gate = await admin.reserve();
    await gate`SELECT pg_advisory_lock(${GATE_KEY})`;
    // Six queries queue behind the gate: a pool without a cap would open a connection for each.
    const queries = Promise.allSettled(
      Array.from({ length: 6 }, () => sql`SELECT pg_advisory_xact_lock_shared(${GATE_KEY}) AS passed`.execute()),
    );
    try {
      await waitFor(
        async () =>
          Number(
            (await admin`SELECT count(*)::integer AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)[0].n,
          ) >= 2 || undefined,
      );
    } finally {
      await gate`SELECT pg_advisory_unlock(${GATE_KEY})`;
      await gate.release();
    }
    expect((await queries).map((outcome) => outcome.status)).toEqual(Array(6).fill('fulfilled'));
    expect(await connections()).toBe(2);
  });

  it('reports health, a stopped server as unhealthy, and recovers by itself once the server is back', async () => {
    const url = await cluster.createDatabase();
    await using sql = openPostgresPool({ url, poolSize: 2 });
    const healthy = await probePostgres(sql);
    expect(healthy.ok).toBe(true);

    await cluster.stop();
    try {
      const down = await probePostgres(sql, 2000);
      expect(down.ok).toBe(false);
      if (!down.ok) expect(down.reason).not.toContain(cluster.password);
    } finally {
      await cluster.start();
    }
    await waitFor(async () => (await probePostgres(sql)).ok || undefined);
    expect((await sql`SELECT current_database() AS name`)[0].name).toBe(new URL(url).pathname.slice(1));
  }, 30_000);

  it('answers a probe that waits too long with a timeout, not a hang', async () => {
    const url = await cluster.createDatabase();
    await using sql = openPostgresPool({ url, poolSize: 1 });
    // The only connection is busy behind a lock, so the probe's query cannot run.
    await using admin = openPostgresPool({ url, poolSize: 1 });
    const gate = await admin.reserve();
    await gate`SELECT pg_advisory_lock(${GATE_KEY})`;
    const blocked = sql`SELECT pg_advisory_xact_lock(${GATE_KEY})`.execute();
    try {
      expect(await probePostgres(sql, 300)).toEqual({ ok: false, reason: 'no answer within 300 ms' });
    } finally {
      await gate`SELECT pg_advisory_unlock(${GATE_KEY})`;
      await gate.release();
    }
    await blocked;
    expect((await probePostgres(sql)).ok).toBe(true);
  });
});
