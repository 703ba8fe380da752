// Foundation benchmarks: cold start and idle memory of the compiled binary, and GET /api/sessions over 10,000 sessions.
// Run: node_modules/.bin/bun bench/foundation.bench.ts   (builds dist/mini-openclaw when it is missing or stale)
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Elysia, t } from 'elysia';
import { Database } from 'bun:sqlite';
import { createApp } from '../src/app';
import { readEnvSettings } from '../src/config';
import { buildDeps } from '../src/deps';
import type { SessionMeta } from '../src/sessions';
import { createSqliteSessionStore } from '../src/sessions/sqlite/session-store.sqlite';
import { systemClock } from '../src/shared/clock';
import { newId } from '../src/shared/ids';
import { silentLogger } from '../src/shared/logger';
import { buildBinary, cleanEnv, startBinary, waitForStatus, type RunningBinary } from '../test/support/compiled-binary';
import { readRssMb } from './chat/process-cpu';
import { sendIdleRequests } from './idle-requests';
import { makeTempDir } from '../test/support/temp-dir';

const ROOT = join(import.meta.dir, '..');
const BINARY = join(ROOT, 'dist', 'mini-openclaw');
const COLD_START_RUNS = 7;
const SESSION_COUNT = 10_000;
const SEQUENTIAL_REQUESTS = 500;
const CONCURRENT_REQUESTS = 500;
const CONCURRENCY = 8;
const CHANGED_REQUESTS = 200;
const TARGETS = { coldStartMs: 300, idleRssMb: 80, sessionsP50Ms: 5 };

const rows: { measure: string; value: string; target: string }[] = [];
const report = (measure: string, value: string, target = '') => {
  rows.push({ measure, value, target });
  console.log(`  ${measure}: ${value}${target ? `  (target ${target})` : ''}`);
};

const median = (values: number[]) => percentile(values, 50);
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}
const ms = (value: number) => `${value.toFixed(2)} ms`;
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

async function ensureBinary(): Promise<void> {
  const sources = Math.max(
    newestMtime(join(ROOT, 'src')),
    newestMtime(join(ROOT, 'assets')),
    newestMtime(join(ROOT, 'package.json')),
    newestMtime(join(ROOT, 'scripts', 'mini-openclaw.order')),
  );
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= sources) return;
  console.log(`building ${BINARY} (missing or older than src/)`);
  await buildBinary(BINARY);
}

async function startIn(cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<RunningBinary> {
  return startBinary(BINARY, { cwd, args: ['--port', '0', ...args], env: cleanEnv({ APP_LOG_LEVEL: 'warn', ...env }) });
}

async function coldStart(): Promise<void> {
  console.log(`\n(a) cold start of ${BINARY}: spawn -> first 200 on /api/health, ${COLD_START_RUNS} runs each`);
  const fresh: number[] = [];
  const existing: number[] = [];
  using reused = makeTempDir('moc-bench-warm-');
  for (let run = 0; run < COLD_START_RUNS; run += 1) {
    using folder = makeTempDir('moc-bench-cold-');
    for (const [cwd, times] of [
      [folder.path, fresh],
      [reused.path, existing],
    ] as const) {
      const started = performance.now();
      const server = await startIn(cwd);
      await waitForStatus(`${server.url}/api/health`);
      times.push(performance.now() - started);
      const code = await server.stop();
      if (code !== 0) throw new Error(`binary exited ${code} on SIGTERM`);
    }
  }
  const freshMedian = median(fresh);
  report(
    'cold start, empty folder (seeds ./storage), median',
    `${ms(freshMedian)} [min ${ms(Math.min(...fresh))}, max ${ms(Math.max(...fresh))}]`,
    `<= ${TARGETS.coldStartMs} ms: ${verdict(freshMedian <= TARGETS.coldStartMs)}`,
  );
  const existingMedian = median(existing);
  report(
    'cold start, existing data folder, median',
    `${ms(existingMedian)} [min ${ms(Math.min(...existing))}, max ${ms(Math.max(...existing))}]`,
    `<= ${TARGETS.coldStartMs} ms: ${verdict(existingMedian <= TARGETS.coldStartMs)}`,
  );

  using folder = makeTempDir('moc-bench-rss-');
  const server = await startIn(folder.path);
  try {
    await waitForStatus(`${server.url}/api/health`);
    await sendIdleRequests(server.url);
    const memory = readRssMb(server.child.pid);
    report(
      'idle RSS after start + 7 requests',
      `${memory.rss.toFixed(1)} MB (peak ${memory.peak.toFixed(1)} MB)`,
      `<= ${TARGETS.idleRssMb} MB: ${verdict(memory.rss <= TARGETS.idleRssMb)}`,
    );
  } finally {
    await server.stop();
  }
}

/** Fills the default agent of a fresh data folder with `count` sessions through the SQLite store, in one transaction. */
async function seedSessions(dataDir: string, count: number): Promise<void> {
  const settings = readEnvSettings({ APP_DATA_DIR: dataDir, APP_LOG_LEVEL: 'silent' });
  await using deps = buildDeps(settings, { logger: silentLogger, env: {}, envFilePath: join(dataDir, '.env') });
  await deps.start();
  // Opens (and migrates) the agent database; the bench then writes through its own connection, in one transaction.
  await deps.agents.get('default').storage.sessions.counts();
  using db = new Database(agentDatabase(dataDir));
  const sessions = createSqliteSessionStore(db, systemClock);
  // The SQLite adapter has written each row when its call returns, so the transaction holds them all.
  db.transaction(() => {
    for (let index = 0; index < count; index += 1) void sessions.create(newId(), `Benchmark session ${index + 1}`);
  })();
}

const agentDatabase = (dataDir: string) => join(dataDir, 'workspaces', 'default', 'storage', 'agent.db');

async function timedGet(url: string): Promise<{ elapsed: number; bytes: number }> {
  const started = performance.now();
  const response = await fetch(url);
  const body = await response.arrayBuffer();
  const elapsed = performance.now() - started;
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return { elapsed, bytes: body.byteLength };
}

async function sessionList(): Promise<void> {
  console.log(
    `\n(b) GET /api/sessions with ${SESSION_COUNT.toLocaleString('en')} sessions (compiled binary, rate limit off)`,
  );
  using data = makeTempDir('moc-bench-sessions-');
  const dataDir = realpathSync(data.path);
  const seeding = performance.now();
  await seedSessions(dataDir, SESSION_COUNT);
  console.log(`  seeded ${SESSION_COUNT} sessions in ${ms(performance.now() - seeding)}`);

  const server = await startIn(dataDir, ['--data-dir', dataDir], { APP_RATE_LIMIT_ENABLED: 'false' });
  try {
    await waitForStatus(`${server.url}/api/health`);
    const url = `${server.url}/api/sessions`;
    const first = (await (await fetch(url)).json()) as { data: unknown[] };
    if (first.data.length !== SESSION_COUNT)
      throw new Error(`expected ${SESSION_COUNT} sessions, got ${first.data.length}`);
    for (let index = 0; index < 50; index += 1) await timedGet(url);

    const sequential: number[] = [];
    let bytes = 0;
    const sequentialStarted = performance.now();
    for (let index = 0; index < SEQUENTIAL_REQUESTS; index += 1) {
      const result = await timedGet(url);
      sequential.push(result.elapsed);
      bytes = result.bytes;
    }
    const sequentialSeconds = (performance.now() - sequentialStarted) / 1000;
    report('response size', `${(bytes / 1024).toFixed(0)} KiB`);
    report(
      `sequential (${SEQUENTIAL_REQUESTS}) p50`,
      ms(median(sequential)),
      `<= ${TARGETS.sessionsP50Ms} ms: ${verdict(median(sequential) <= TARGETS.sessionsP50Ms)}`,
    );
    report(`sequential (${SEQUENTIAL_REQUESTS}) p99`, ms(percentile(sequential, 99)));
    report(
      `sequential (${SEQUENTIAL_REQUESTS}) throughput`,
      `${(SEQUENTIAL_REQUESTS / sequentialSeconds).toFixed(0)} req/s`,
    );

    // The list is sent from its kept bytes while nothing changed; here each read follows a rename, so each reads again.
    const changed: number[] = [];
    const renamed = (first.data[0] as { session_id: string }).session_id;
    for (let index = 0; index < CHANGED_REQUESTS; index += 1) {
      const rename = await fetch(`${server.url}/api/sessions/${renamed}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: `Renamed ${index}` }),
      });
      if (rename.status !== 200) throw new Error(`rename answered ${rename.status}`);
      changed.push((await timedGet(url)).elapsed);
    }
    report(`sequential, each after a rename (${CHANGED_REQUESTS}) p50`, ms(median(changed)));
    report(`sequential, each after a rename (${CHANGED_REQUESTS}) p99`, ms(percentile(changed, 99)));

    const concurrent: number[] = [];
    let next = 0;
    const concurrentStarted = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < CONCURRENT_REQUESTS) {
          next += 1;
          concurrent.push((await timedGet(url)).elapsed);
        }
      }),
    );
    const concurrentSeconds = (performance.now() - concurrentStarted) / 1000;
    report(`concurrent (${CONCURRENCY} clients, ${CONCURRENT_REQUESTS}) p50`, ms(median(concurrent)));
    report(`concurrent (${CONCURRENCY} clients, ${CONCURRENT_REQUESTS}) p99`, ms(percentile(concurrent, 99)));
    report(
      `concurrent (${CONCURRENCY} clients, ${CONCURRENT_REQUESTS}) throughput`,
      `${(CONCURRENT_REQUESTS / concurrentSeconds).toFixed(0)} req/s`,
    );
    const memory = readRssMb(server.child.pid);
    report('server RSS after the list runs', `${memory.rss.toFixed(1)} MB (peak ${memory.peak.toFixed(1)} MB)`);
  } finally {
    await server.stop();
  }
  await breakdown(dataDir);
}

/** Where the time of one list request goes, measured in this process (no socket), median of 200 after a warm-up. */
async function breakdown(dataDir: string): Promise<void> {
  console.log('\n(c) where the time of one GET /api/sessions goes (in-process, no socket)');
  const settings = readEnvSettings({ APP_DATA_DIR: dataDir, APP_LOG_LEVEL: 'silent', APP_RATE_LIMIT_ENABLED: 'false' });
  await using deps = buildDeps(settings, { logger: silentLogger, env: {}, envFilePath: join(dataDir, '.env') });
  await deps.start();
  using db = new Database(agentDatabase(dataDir), { readonly: true });
  {
    const app = createApp(deps);
    const agent = deps.agents.get('default');
    const time = async (run: () => unknown) => {
      for (let index = 0; index < 20; index += 1) await run();
      const times: number[] = [];
      for (let index = 0; index < 200; index += 1) {
        const started = performance.now();
        await run();
        times.push(performance.now() - started);
      }
      return median(times);
    };
    const toWire = (meta: SessionMeta) => ({
      session_id: meta.sessionId,
      title: meta.title,
      created_at: meta.createdAt,
      updated_at: meta.updatedAt,
      archived: meta.archived,
    });
    const wire = (await agent.storage.sessions.list('active')).map(toWire);
    const unsorted = db.query('SELECT * FROM sessions WHERE archived_at IS NULL');
    const plan = db
      .query<{ detail: string }, []>(
        'EXPLAIN QUERY PLAN SELECT * FROM sessions WHERE archived_at IS NULL ORDER BY updated_at DESC, rowid DESC',
      )
      .all()
      .map((row) => row.detail)
      .join('; ');
    // The route's handler and response schema, alone, with and without response validation.
    const SessionRow = t.Object({
      session_id: t.String(),
      title: t.String(),
      created_at: t.Number(),
      updated_at: t.Number(),
      archived: t.Boolean(),
    });
    const handler = async () => ({ data: (await agent.storage.sessions.list('active')).map(toWire) });
    const validated = new Elysia().get('/list', handler, {
      response: { 200: t.Object({ data: t.Array(SessionRow) }) },
    });
    const unvalidated = new Elysia().get('/list', handler);
    const request = (app: { handle(request: Request): Promise<Response> }, url: string) => async () => {
      const response = await app.handle(new Request(url, { headers: { host: '127.0.0.1' } }));
      if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
      return response.arrayBuffer();
    };

    report(
      'SQLite list query + row mapping (store.list)',
      ms(await time(() => agent.storage.sessions.list('active'))),
      plan,
    );
    report('  the same rows without ORDER BY (no sort)', ms(await time(() => unsorted.all())));
    report('JSON.stringify of the response body', ms(await time(() => JSON.stringify({ data: wire }))));
    report('bare route, handler + response validation', ms(await time(request(validated, 'http://127.0.0.1/list'))));
    report(
      'bare route, handler without response validation',
      ms(await time(request(unvalidated, 'http://127.0.0.1/list'))),
    );
    report(
      'whole app (guards, CORS, envelope), app.handle',
      ms(await time(request(app, 'http://127.0.0.1/api/sessions'))),
    );
  }
}

function machine(): string {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU';
  const memory = /^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
  const cores = availableParallelism();
  return `${cores} cores, ${cpu}, ${memory ? (Number(memory) / 1024 / 1024).toFixed(0) : '?'} GiB RAM, Bun ${Bun.version}, ${new Date().toISOString().slice(0, 10)}`;
}

await ensureBinary();
console.log(`machine: ${machine()}`);
await coldStart();
await sessionList();

console.log('\n| measure | value | target |\n| --- | --- | --- |');
for (const row of rows) console.log(`| ${row.measure} | ${row.value} | ${row.target} |`);
