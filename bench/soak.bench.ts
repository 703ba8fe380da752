// Soak: many turns against the fake model, with tool calls and retrieval (rag mode), watching the server's
// RSS, open file descriptors and turn latency over time.
// Run: node_modules/.bin/bun bench/soak.bench.ts [turns=10000] [concurrency=4] [warm-up turns=1000]
//   BENCH_SERVER_ENV=A=1,B=2 adds variables to the server's (APP_WARM_START=0 to compare warming, say).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, startBinary } from '../test/support/compiled-binary';
import { EXTRA_ENV } from './chat/bench-server';
import { startFakeOpenAiServer } from '../test/support/fake-openai-server';
import { makeTempDir } from '../test/support/temp-dir';

const TURNS = Number(process.argv[2] ?? 10_000);
const CONCURRENCY = Number(process.argv[3] ?? 4);
const TURNS_PER_SESSION = 20;
const WINDOW = Math.max(100, Math.floor(TURNS / 20));
const WARM_UP = Number(process.argv[4] ?? Math.min(1000, Math.floor(TURNS / 10)));
const MAIN = join(import.meta.dir, '..', 'src', 'main.ts');

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};

const model = await startFakeOpenAiServer();
let calls = 0;
// Every third turn reads a knowledge file through read_file, every fifth searches the knowledge base; the rest answer.
model.setFallback((body) => {
  if (!body.stream) return { kind: 'text', text: 'Soak' };
  const last = body.messages.at(-1);
  if (last.role === 'tool') return { kind: 'text', text: 'Done with the tool. '.repeat(5) };
  calls++;
  if (calls % 3 === 0)
    return { kind: 'tool_calls', calls: [{ name: 'read_file', args: { path: `knowledge/doc-${calls % 10}.md` } }] };
  if (calls % 5 === 0)
    return { kind: 'tool_calls', calls: [{ name: 'search_knowledge_base', args: { query: `topic ${calls % 10}` } }] };
  return { kind: 'text', text: 'A steady answer with some words in it. '.repeat(5), chunkSize: 8 };
});

const temp = makeTempDir('soak-');
const server = await startBinary(process.execPath, {
  cwd: temp.path,
  args: [MAIN, 'serve', '--port', '0', '--data-dir', join(temp.path, 'data')],
  env: cleanEnv({
    LLM_BASE_URL: model.baseUrl,
    LLM_MODEL: 'fake-model',
    LLM_API_KEY: 'k',
    APP_LOG_LEVEL: 'warn',
    APP_RATE_LIMIT_ENABLED: 'false',
    EMBEDDING_PROVIDER: 'none',
    ...EXTRA_ENV,
  }),
});
const api = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(server.url + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return text;
};
for (let index = 0; index < 10; index++)
  await api('POST', '/api/files', {
    path: `knowledge/doc-${index}.md`,
    content: `# Topic ${index}\n${`Notes about topic ${index} and its details. `.repeat(40)}\n`,
  });
await api('PUT', '/api/config/rag-mode', { enabled: true });

const status = () => readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
const rssMb = () => Number(/^VmRSS:\s+(\d+) kB/m.exec(status())![1]) / 1024;
const fds = () => readdirSync(`/proc/${server.child.pid}/fd`).length;
/** Anonymous (heap), file-backed and shared (SQLite's -shm maps) parts of RSS, in MB. */
const rssParts = () => {
  const rollup = readFileSync(`/proc/${server.child.pid}/smaps_rollup`, 'utf8');
  const read = (key: string) =>
    (Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? NaN) / 1024).toFixed(1);
  return `anonymous ${read('Pss_Anon')} MB, file ${read('Pss_File')} MB, shared ${read('Pss_Shmem')} MB`;
};
const walSizes = () => {
  const storage = join(temp.path, 'data', 'workspaces', 'default', 'storage');
  return readdirSync(storage)
    .filter((name) => name.endsWith('-wal'))
    .map((name) => `${name} ${(statSync(join(storage, name)).size / 1024 / 1024).toFixed(1)} MB`)
    .join(', ');
};

console.log(
  `machine: ${availableParallelism()} cores, Bun ${Bun.version}; ${TURNS} turns, ${CONCURRENCY} at a time, a new session every ${TURNS_PER_SESSION}`,
);
// RSS swings by tens of MB with garbage-collection timing, so every window keeps its samples and the
// comparison uses each window's floor (what stays resident), next to its peak.
const windows: { upTo: number; p50: number; p99: number; rss: number; rssMin: number; rssMax: number; fds: number }[] =
  [];
let rssSamples: number[] = [];
let latencies: number[] = [];
let next = 0;
let failures = 0;
let errorEvents = 0;
const worker = async () => {
  let sessionId = '';
  for (let turn = next++; turn < TURNS; turn = next++) {
    if (turn % TURNS_PER_SESSION < CONCURRENCY || !sessionId)
      sessionId = JSON.parse(await api('POST', '/api/sessions', { title: `soak ${turn}` })).data.session_id;
    const started = performance.now();
    try {
      const text = await api('POST', '/api/chat', { session_id: sessionId, message: `turn ${turn}` });
      if (text.includes('event: error')) errorEvents++;
    } catch {
      failures++;
    }
    latencies.push(performance.now() - started);
    if (turn % 25 === 0) {
      rssSamples.push(rssMb());
      // The fake model keeps every request it saw; forget them so the bench process itself stays small.
      model.requests.length = 0;
    }
    if (turn === WARM_UP) console.log(`  at warm-up: ${rssParts()}; ${walSizes()}`);
    if (latencies.length >= WINDOW) {
      const window = latencies;
      const samples = [...rssSamples, rssMb()];
      latencies = [];
      rssSamples = [];
      windows.push({
        upTo: turn + 1,
        p50: percentile(window, 50),
        p99: percentile(window, 99),
        rss: samples.at(-1)!,
        rssMin: Math.min(...samples),
        rssMax: Math.max(...samples),
        fds: fds(),
      });
      const last = windows.at(-1)!;
      console.log(
        `  ~${last.upTo} turns: p50 ${last.p50.toFixed(1)} ms, p99 ${last.p99.toFixed(1)} ms, RSS floor ${last.rssMin.toFixed(1)} MB, peak ${last.rssMax.toFixed(1)} MB, fds ${last.fds}`,
      );
    }
  }
};
const started = performance.now();
await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
const seconds = (performance.now() - started) / 1000;
console.log(`  at the end: ${rssParts()}; ${walSizes()}`);
const warm = windows.find((window) => window.upTo >= WARM_UP) ?? windows[0]!;
const end = windows.at(-1)!;
console.log(
  `${TURNS} turns in ${seconds.toFixed(1)} s (${(TURNS / seconds).toFixed(0)} turns/s); failed requests ${failures}, error events ${errorEvents}`,
);
const growth = (from: number, to: number) => `${(((to - from) / from) * 100).toFixed(1)} %`;
console.log(
  `RSS floor after warm-up (${warm.upTo} turns) ${warm.rssMin.toFixed(1)} MB -> last window ${end.rssMin.toFixed(1)} MB: ${growth(warm.rssMin, end.rssMin)} (target < 10 %)`,
);
console.log(
  `RSS peak after warm-up ${warm.rssMax.toFixed(1)} MB -> last window ${end.rssMax.toFixed(1)} MB: ${growth(warm.rssMax, end.rssMax)}`,
);
console.log(
  `open fds: after warm-up ${warm.fds}, end ${end.fds}; turn p50 after warm-up ${warm.p50.toFixed(1)} ms, at the end ${end.p50.toFixed(1)} ms`,
);
await server.stop();
await model.stop();
temp[Symbol.dispose]();
