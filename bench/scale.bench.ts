// Scale-out on PostgreSQL (issue 17): one replica against two on one database and one data folder. A burst
// of simultaneous streams (time to the end of each reply), sustained turns per second, and cron start lag
// with many jobs due within a minute across two replicas (every job run once).
// Run: node_modules/.bin/bun bench/scale.bench.ts [--streams 200] [--turns 400] [--jobs 1000] [--window-s 60]
import { SQL } from 'bun';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { postgresUnavailableReason, startPostgresCluster } from '../test/support/postgres-cluster';
import { makeTempDir } from '../test/support/temp-dir';
import { wordsReply } from './chat/case-kit';
import { startFakeModelChild, type FakeModelChild } from './chat/fake-model-child';
import { percentile } from './chat/run-report';
import { startReplicas, type Replica } from './scale/replicas';

const { values: args } = parseArgs({
  options: {
    streams: { type: 'string', default: '200' },
    turns: { type: 'string', default: '400' },
    jobs: { type: 'string', default: '1000' },
    'window-s': { type: 'string', default: '60' },
  },
});
const STREAMS = Number(args.streams);
const TURNS = Number(args.turns);
const JOBS = Number(args.jobs);
const WINDOW_MS = Number(args['window-s']) * 1000;
const SUSTAINED_CLIENTS = 16;

const skip = postgresUnavailableReason();
if (skip) {
  console.log(`scale bench skipped: ${skip}`);
  process.exit(0);
}

/** One streamed turn, read to its end; milliseconds from sending to the end of the body (NaN when it failed). */
async function turn(replica: Replica, sessionId: string, message: string): Promise<number> {
  const started = performance.now();
  try {
    const response = await fetch(`${replica.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message, session_id: sessionId }),
    });
    const body = await response.text();
    return response.ok && body.includes('event: done') ? performance.now() - started : NaN;
  } catch {
    return NaN;
  }
}

const print = (label: string, value: number, unit = 'ms') =>
  console.log(`  ${label}: ${Number.isNaN(value) ? 'n/a' : value.toFixed(value >= 10 ? 1 : 2)} ${unit}`);

async function burst(replicas: Replica[]): Promise<void> {
  const sessions = [];
  for (let index = 0; index < STREAMS; index++) {
    const replica = replicas[index % replicas.length]!;
    sessions.push({ replica, id: await replica.newSession() });
  }
  // Warm every replica alike (LangChain loaded, code compiled) before the burst.
  for (const { replica, id } of sessions.slice(0, 30 * replicas.length)) await turn(replica, id, 'warm-up');
  const times = await Promise.all(sessions.map(({ replica, id }, index) => turn(replica, id, `burst ${index}`)));
  const failed = times.filter(Number.isNaN).length;
  console.log(`burst of ${STREAMS} streams (50 tokens at 20 ms) on ${replicas.length} replica(s): ${failed} failed`);
  print('end of reply p50', percentile(times, 50));
  print('end of reply p99', percentile(times, 99));
}

async function sustained(replicas: Replica[]): Promise<void> {
  let next = 0;
  const started = performance.now();
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: SUSTAINED_CLIENTS }, async (_, client) => {
      const replica = replicas[client % replicas.length]!;
      const session = await replica.newSession();
      while (next < TURNS) {
        next += 1;
        times.push(await turn(replica, session, `turn ${next}`));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(`sustained: ${TURNS} turns from ${SUSTAINED_CLIENTS} clients on ${replicas.length} replica(s)`);
  print('turns per second', TURNS / seconds, '/s');
  print('turn p99', percentile(times, 99));
}

async function cronLag(url: string, replicas: Replica[]): Promise<void> {
  const firstDue = Date.now() + 15_000 + JOBS * 5;
  for (let index = 0; index < JOBS; index++) {
    const dueMs = firstDue + Math.floor((index / JOBS) * WINDOW_MS);
    await replicas[index % replicas.length]!.api('POST', '/api/scheduler/cron/jobs', {
      name: `job ${index}`,
      schedule_type: 'at',
      schedule: new Date(dueMs).toISOString(),
      prompt: `cron ${index}`,
    });
  }
  await using sql = new SQL({ url, max: 1 });
  const deadline = firstDue + WINDOW_MS + 120_000;
  for (;;) {
    const [row] = await sql`SELECT count(*)::integer AS n FROM cron_runs WHERE status <> 'running'`;
    if (row.n >= JOBS || Date.now() > deadline) break;
    await Bun.sleep(500);
  }
  const runs: { job_id: string; status: string; schedule_lag_ms: string }[] =
    await sql`SELECT job_id, status, schedule_lag_ms FROM cron_runs`;
  const perJob = new Map<string, number>();
  for (const run of runs) perJob.set(run.job_id, (perJob.get(run.job_id) ?? 0) + 1);
  const twice = [...perJob.values()].filter((count) => count > 1).length;
  const lags = runs.filter((run) => run.status === 'ok').map((run) => Number(run.schedule_lag_ms));
  console.log(
    `cron: ${JOBS} jobs due within ${WINDOW_MS / 1000} s on ${replicas.length} replica(s): ${perJob.size} jobs ran, ${twice} more than once, ${lags.length} ok`,
  );
  print('start lag p50', percentile(lags, 50));
  print('start lag p99', percentile(lags, 99));
}

const cluster = await startPostgresCluster();
const model: FakeModelChild = await startFakeModelChild();
try {
  // One server on SQLite files (the default, for reference), then one and two replicas on PostgreSQL.
  for (const [count, storage] of [
    [1, 'sqlite'],
    [1, 'postgres'],
    [2, 'postgres'],
  ] as const) {
    const url = storage === 'postgres' ? await cluster.createDatabase() : null;
    using folder = makeTempDir('scale-bench-');
    const replicas = await startReplicas(count, { url, dataDir: join(folder.path, 'data'), modelUrl: model.baseUrl });
    console.log(`== ${count} replica(s) on ${storage}`);
    try {
      await model.setReply(wordsReply(50, 20));
      await burst(replicas);
      await model.setReply(wordsReply(50));
      await sustained(replicas);
    } finally {
      for (const replica of replicas) await replica.stop();
    }
  }
  const url = await cluster.createDatabase();
  using folder = makeTempDir('scale-bench-');
  const replicas = await startReplicas(2, { url, dataDir: join(folder.path, 'data'), modelUrl: model.baseUrl });
  try {
    await model.setReply(wordsReply(5));
    await cronLag(url, replicas);
  } finally {
    for (const replica of replicas) await replica.stop();
  }
} finally {
  await model.stop();
  await cluster[Symbol.asyncDispose]();
}
