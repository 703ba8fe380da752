// PostgreSQL groundwork figures (issue 17): a throwaway cluster's start, and Bun.sql latency, throughput,
// LISTEN/NOTIFY delivery and SKIP LOCKED claiming against it on loopback.
// Run: node_modules/.bin/bun bench/postgres.bench.ts   (needs Debian's postgresql; as root it runs the server as `postgres`)
import type { SQL } from 'bun';
import { openPostgresPool } from '../src/db/postgres/postgres-pool';
import { postgresUnavailableReason, startPostgresCluster } from '../test/support/postgres-cluster';

const CLUSTER_RUNS = 3;
const LATENCY_QUERIES = 2000;
const CONCURRENT_QUERIES = 5000;
const CONCURRENCY = 16;
const INSERT_ROWS = 50_000;
const BATCH_ROWS = 1000;
const SINGLE_INSERTS = 2000;
const NOTIFY_ROUNDS = 300;
const CLAIM_ROWS = 2000;
const WORKERS_PER_REPLICA = 4;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const ms = (value: number) => `${value.toFixed(3)} ms`;
const perSecond = (count: number, elapsedMs: number) =>
  `${Math.round((count / elapsedMs) * 1000).toLocaleString('en')}/s`;
const report = (measure: string, value: string) => console.log(`  ${measure}: ${value}`);

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function latencies(count: number, run: (index: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < count; index += 1) samples.push(await timed(() => run(index)));
  return samples;
}

async function clusterStart(): Promise<void> {
  console.log(`cluster start (${CLUSTER_RUNS} runs, median)`);
  const initdb: number[] = [];
  const start: number[] = [];
  const createdb: number[] = [];
  for (let run = 0; run < CLUSTER_RUNS; run += 1) {
    await using cluster = await startPostgresCluster();
    initdb.push(cluster.timings.initdbMs);
    start.push(cluster.timings.startMs);
    createdb.push(await timed(() => cluster.createDatabase()));
  }
  report('initdb', ms(percentile(initdb, 50)));
  report('pg_ctl start -w', ms(percentile(start, 50)));
  report('CREATE DATABASE ... TEMPLATE template0', ms(percentile(createdb, 50)));
}

async function queries(sql: SQL): Promise<void> {
  console.log('queries (pool of 10, one process)');
  await sql`CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL)`;
  await sql`INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 10000) AS g`;
  const ping = await latencies(LATENCY_QUERIES, () => sql`SELECT 1`);
  report('SELECT 1, sequential p50 / p99', `${ms(percentile(ping, 50))} / ${ms(percentile(ping, 99))}`);
  const point = await latencies(
    LATENCY_QUERIES,
    (index) => sql`SELECT id, name FROM items WHERE id = ${(index % 10000) + 1}`,
  );
  report('point SELECT by key, sequential p50 / p99', `${ms(percentile(point, 50))} / ${ms(percentile(point, 99))}`);
  const transaction = await latencies(500, (index) =>
    sql.begin(async (tx) => {
      await tx`SELECT name FROM items WHERE id = ${(index % 10000) + 1} FOR UPDATE`;
      await tx`UPDATE items SET name = ${`renamed ${index}`} WHERE id = ${(index % 10000) + 1}`;
    }),
  );
  report(
    'transaction (SELECT FOR UPDATE + UPDATE) p50 / p99',
    `${ms(percentile(transaction, 50))} / ${ms(percentile(transaction, 99))}`,
  );
  {
    // A session lock belongs to one connection, so a run lock is taken and released on a reserved one.
    using session = await sql.reserve();
    const locks = await latencies(1000, async (index) => {
      await session`SELECT pg_try_advisory_lock(${index}) AS taken`;
      await session`SELECT pg_advisory_unlock(${index})`;
    });
    report(
      'pg_try_advisory_lock + pg_advisory_unlock p50 / p99',
      `${ms(percentile(locks, 50))} / ${ms(percentile(locks, 99))}`,
    );
  }

  let next = 0;
  const elapsed = await timed(() =>
    Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < CONCURRENT_QUERIES) {
          next += 1;
          await sql`SELECT id, name FROM items WHERE id = ${(next % 10000) + 1}`;
        }
      }),
    ),
  );
  report(`point SELECT, ${CONCURRENCY} in flight`, perSecond(CONCURRENT_QUERIES, elapsed));
}

async function inserts(sql: SQL): Promise<void> {
  console.log('inserts (rows shaped like chat messages, ~200 characters of content)');
  await sql`CREATE TABLE messages (id bigint PRIMARY KEY, session_id text NOT NULL, role text NOT NULL, content text NOT NULL, created_at timestamptz NOT NULL)`;
  const content = 'x'.repeat(200);
  const row = (id: number) => ({
    id,
    session_id: `s${id % 100}`,
    role: id % 2 ? 'user' : 'assistant',
    content,
    created_at: new Date(),
  });

  const single = await timed(async () => {
    for (let id = 1; id <= SINGLE_INSERTS; id += 1) {
      const r = row(id);
      await sql`INSERT INTO messages (id, session_id, role, content, created_at) VALUES (${r.id}, ${r.session_id}, ${r.role}, ${r.content}, ${r.created_at})`;
    }
  });
  report('one INSERT per row, sequential', perSecond(SINGLE_INSERTS, single));
  await sql`TRUNCATE messages`;

  const batched = await timed(async () => {
    for (let first = 1; first <= INSERT_ROWS; first += BATCH_ROWS) {
      await sql`INSERT INTO messages ${sql(Array.from({ length: BATCH_ROWS }, (_, offset) => row(first + offset)))}`;
    }
  });
  report(`INSERT ... sql(rows), ${BATCH_ROWS} rows a statement`, perSecond(INSERT_ROWS, batched));
  await sql`TRUNCATE messages`;

  const copied = await timed(async () => {
    const query = sql`COPY messages (id, session_id, role, content, created_at) FROM STDIN`;
    const writer = query.writable().getWriter();
    const stamp = new Date().toISOString();
    for (let first = 1; first <= INSERT_ROWS; first += BATCH_ROWS) {
      let chunk = '';
      for (let id = first; id < first + BATCH_ROWS; id += 1)
        chunk += `${id}\ts${id % 100}\t${id % 2 ? 'user' : 'assistant'}\t${content}\t${stamp}\n`;
      await writer.write(chunk);
    }
    await writer.close();
    await query;
  });
  report('COPY FROM STDIN (text format)', perSecond(INSERT_ROWS, copied));
}

async function notifications(url: string): Promise<void> {
  console.log('LISTEN / NOTIFY between two pools (two replicas)');
  await using listener = openPostgresPool({ url, poolSize: 2 });
  await using sender = openPostgresPool({ url, poolSize: 2 });
  let resolveDelivery: (() => void) | undefined;
  await using subscription = await listener.listen('agents_changed', () => resolveDelivery?.());
  const rounds = await latencies(NOTIFY_ROUNDS, async (index) => {
    const delivered = new Promise<void>((resolve) => (resolveDelivery = resolve));
    await sender.notify('agents_changed', JSON.stringify({ agent_id: `agent-${index}`, change: 'created' }));
    await delivered;
  });
  void subscription;
  report(
    'notify -> callback on the other pool p50 / p99',
    `${ms(percentile(rounds, 50))} / ${ms(percentile(rounds, 99))}`,
  );
}

async function claims(url: string): Promise<void> {
  console.log(`claiming due runs with FOR UPDATE SKIP LOCKED (two pools x ${WORKERS_PER_REPLICA} workers)`);
  await using setup = openPostgresPool({ url, poolSize: 1 });
  await setup`CREATE TABLE runs (id integer PRIMARY KEY, due_at timestamptz NOT NULL, claimed_by text, lease_until timestamptz)`;
  await setup`INSERT INTO runs (id, due_at) SELECT g, now() - interval '1 second' FROM generate_series(1, ${CLAIM_ROWS}) AS g`;
  const replicas = ['replica-a', 'replica-b'].map((name) => ({
    name,
    sql: openPostgresPool({ url, poolSize: WORKERS_PER_REPLICA }),
  }));
  const claimLatency: number[] = [];
  const claimed: number[] = [];
  const elapsed = await timed(() =>
    Promise.all(
      replicas.flatMap((replica) =>
        Array.from({ length: WORKERS_PER_REPLICA }, async () => {
          for (;;) {
            const started = performance.now();
            const rows = await replica.sql`
              UPDATE runs SET claimed_by = ${replica.name}, lease_until = now() + interval '30 seconds'
              WHERE id = (SELECT id FROM runs WHERE claimed_by IS NULL AND due_at <= now() ORDER BY due_at, id FOR UPDATE SKIP LOCKED LIMIT 1)
              RETURNING id`;
            if (rows.length === 0) return;
            claimLatency.push(performance.now() - started);
            claimed.push(rows[0].id);
          }
        }),
      ),
    ),
  );
  const unique = new Set(claimed).size;
  const split =
    await setup`SELECT claimed_by, count(*)::integer AS n FROM runs GROUP BY claimed_by ORDER BY claimed_by`;
  report(
    'claims',
    `${claimed.length} claims of ${CLAIM_ROWS} rows, ${unique} distinct (${split.map((r: { claimed_by: string; n: number }) => `${r.claimed_by} ${r.n}`).join(', ')})`,
  );
  report('claim rate', perSecond(claimed.length, elapsed));
  report('one claim p50 / p99', `${ms(percentile(claimLatency, 50))} / ${ms(percentile(claimLatency, 99))}`);
  for (const replica of replicas) await replica.sql.close();
}

const skip = postgresUnavailableReason();
if (skip) {
  console.log(`postgres bench skipped: ${skip}`);
  process.exit(0);
}
console.log(`Bun ${Bun.version}`);
await clusterStart();
await using cluster = await startPostgresCluster();
const url = await cluster.createDatabase();
await using sql = openPostgresPool({ url, poolSize: 10 });
const connect = await timed(() => sql`SELECT 1`);
report('first query (connect + SCRAM login + query)', ms(connect));
await queries(sql);
await inserts(sql);
await notifications(url);
await claims(url);
