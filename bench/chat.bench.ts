// Chat benchmarks: what the server adds to a streamed reply from the fake model, alone and under 200 concurrent streams.
// Run: node_modules/.bin/bun bench/chat.bench.ts
// The server runs as its own process (bun src/main.ts) so its RSS is its own; the fake model and the clients run here.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, startBinary } from '../test/support/compiled-binary';
import { startFakeOpenAiServer, type ScriptStep } from '../test/support/fake-openai-server';
import { makeTempDir } from '../test/support/temp-dir';

const MAIN = join(import.meta.dir, '..', 'src', 'main.ts');
const SEQUENTIAL_RUNS = 100;
const LONG_REPLY_TOKENS = 1000;
const CONCURRENT_STREAMS = 200;
const CONCURRENT_TOKENS = 50;
const TOKEN_DELAY_MS = 20;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};
const ms = (value: number) => `${value.toFixed(2)} ms`;

/**
 * Reads a streamed body: when the first chunk matching `first` arrived and when the reply was complete,
 * that is when `last` arrived (the `done` event; the `title` event that may follow is not part of the
 * reply) or, without `last`, when the body ended.
 */
async function timeStream(response: Response, first: string, started: number, last?: string): Promise<{ firstMs: number; endMs: number }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let firstMs = NaN;
  let endMs = NaN;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    if (Number.isNaN(endMs)) {
      text += decoder.decode(value, { stream: true });
      if (Number.isNaN(firstMs) && text.includes(first)) firstMs = performance.now() - started;
      if (last && text.includes(last)) endMs = performance.now() - started;
    }
  }
  return { firstMs, endMs: Number.isNaN(endMs) ? performance.now() - started : endMs };
}

const model = await startFakeOpenAiServer();
const temp = makeTempDir('chat-bench-');
const server = await startBinary(process.execPath, {
  cwd: temp.path,
  // BENCH_PROFILE_DIR=/tmp/x writes the server's CPU profile (markdown) there on exit.
  // The server runs with the flags `npm start` and the binary use (--smol); BENCH_BUN_FLAGS overrides them.
  args: [
    ...(process.env.BENCH_BUN_FLAGS ?? '--smol').split(' ').filter(Boolean),
    ...(process.env.BENCH_PROFILE_DIR ? ['--cpu-prof-md', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : []),
    MAIN, 'serve', '--port', '0', '--data-dir', join(temp.path, 'data')],
  env: cleanEnv({ LLM_BASE_URL: model.baseUrl, LLM_MODEL: 'fake-model', LLM_API_KEY: 'k', APP_LOG_LEVEL: 'warn', APP_RATE_LIMIT_ENABLED: 'false' }),
});
const hwmMb = () => Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))![1]) / 1024;

let reply: ScriptStep = { kind: 'text', text: 'ok' };
// Title requests are the non-streaming ones; they get a short answer so they cost little.
model.setFallback((body) => (body.stream ? reply : { kind: 'text', text: 'Bench' }));

const direct = async () => {
  const started = performance.now();
  const response = await fetch(`${model.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'fake-model', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] }),
  });
  return timeStream(response, '"content":"t', started);
};
const newSession = async () => ((await (await fetch(`${server.url}/api/sessions`, { method: 'POST' })).json()) as any).data.session_id as string;
const viaServer = async (sessionId: string) => {
  const started = performance.now();
  const response = await fetch(`${server.url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message: 'hi', session_id: sessionId }),
  });
  return timeStream(response, 'event: token', started, 'event: done');
};

console.log(`machine: ${availableParallelism()} cores, Bun ${Bun.version}, ${process.platform}/${process.arch}`);

// 1. Time to first token, no delay: the same short reply, straight and through the server.
reply = { kind: 'text', text: 'tok tok tok tok', chunkSize: 4 };
for (let index = 0; index < 10; index++) (await direct(), await viaServer(await newSession()));
const firstDirect: number[] = [];
const firstServer: number[] = [];
for (let index = 0; index < SEQUENTIAL_RUNS; index++) {
  firstDirect.push((await direct()).firstMs);
  firstServer.push((await viaServer(await newSession())).firstMs);
}
const addedFirst = percentile(firstServer, 50) - percentile(firstDirect, 50);
console.log(`time to first token p50: direct ${ms(percentile(firstDirect, 50))}, through server ${ms(percentile(firstServer, 50))}, added ${ms(addedFirst)} (target <= 10 ms)`);

// 2. A 1,000-token reply: total time added.
reply = { kind: 'text', text: 'tok '.repeat(LONG_REPLY_TOKENS), chunkSize: 4 };
const longDirect: number[] = [];
const longServer: number[] = [];
for (let index = 0; index < 20; index++) {
  longDirect.push((await direct()).endMs);
  longServer.push((await viaServer(await newSession())).endMs);
}
console.log(`1,000-token reply p50: direct ${ms(percentile(longDirect, 50))}, through server ${ms(percentile(longServer, 50))}, added ${ms(percentile(longServer, 50) - percentile(longDirect, 50))}`);

// 3. 200 concurrent streams, 20 ms between tokens: added latency against the same load straight from the model.
reply = { kind: 'text', text: 'tok '.repeat(CONCURRENT_TOKENS), chunkSize: 4, delayMs: TOKEN_DELAY_MS };
const inFlight = { now: 0, peak: 0 };
/** Starts every stream after its arrival offset and measures what the server added to it. */
async function loadRun(arrivalGapMs: number) {
  // The baseline: the same streams on the same arrival schedule, straight from the model.
  const baseline = await Promise.all(
    Array.from({ length: CONCURRENT_STREAMS }, async (_, index) => {
      if (arrivalGapMs > 0) await Bun.sleep(index * arrivalGapMs);
      return direct();
    }),
  );
  const baselineEnd = percentile(baseline.map((run) => run.endMs), 50);
  const baselineFirst = percentile(baseline.map((run) => run.firstMs), 50);
  const sessions = await Promise.all(Array.from({ length: CONCURRENT_STREAMS }, () => newSession()));
  inFlight.peak = 0;
  const runs = await Promise.all(
    sessions.map(async (sessionId, index) => {
      if (arrivalGapMs > 0) await Bun.sleep(index * arrivalGapMs);
      inFlight.now++;
      inFlight.peak = Math.max(inFlight.peak, inFlight.now);
      try {
        return { ...(await viaServer(sessionId)), ok: true };
      } catch {
        return { firstMs: NaN, endMs: NaN, ok: false };
      } finally {
        inFlight.now--;
      }
    }),
  );
  const completed = runs.filter((run) => run.ok && !Number.isNaN(run.firstMs)).length;
  const addedEnd = runs.map((run) => run.endMs - baselineEnd);
  const addedFirst = runs.map((run) => run.firstMs - baselineFirst);
  const label = arrivalGapMs > 0 ? `arriving ${arrivalGapMs} ms apart` : 'all started at once';
  console.log(`${CONCURRENT_STREAMS} streams of ${CONCURRENT_TOKENS} tokens at ${TOKEN_DELAY_MS} ms, ${label}: ${completed}/${CONCURRENT_STREAMS} completed, ${inFlight.peak} in flight at peak`);
  console.log(`  direct baseline p50: first token ${ms(baselineFirst)}, whole reply ${ms(baselineEnd)}`);
  console.log(`  added to whole reply: p50 ${ms(percentile(addedEnd, 50))}, p99 ${ms(percentile(addedEnd, 99))} (target p99 <= 100 ms)`);
  console.log(`  added to first token: p50 ${ms(percentile(addedFirst, 50))}, p99 ${ms(percentile(addedFirst, 99))}`);
}
await loadRun(0);
await loadRun(4);
console.log(`server peak RSS: ${hwmMb().toFixed(1)} MB (target <= 300 MB)`);

await server.stop();
await model.stop();
temp[Symbol.dispose]();
