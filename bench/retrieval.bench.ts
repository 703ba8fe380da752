// Retrieval at scale: indexing throughput (embedding excluded), hybrid query latency, RSS and vector recall@10 vs exact.
// Run: node_modules/.bin/bun bench/retrieval.bench.ts [--sizes 10000,100000] [--dims 256,1536]
// Each corpus is indexed in one child process and queried in another, so RSS is the serving process's own.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAgentRegistry } from '../src/agents';
import { createRuntimeConfigStore } from '../src/config';
import { sqliteAgentStorage } from '../src/storage/sqlite/open-sqlite-agent-storage';
import { openAgentIndex } from '../src/retrieval/agent-index';
import { openSqliteIndex } from '../src/retrieval/sqlite/open-index';
import type { EmbeddingClient } from '../src/retrieval/embedding-client';
import { createEmbeddingHealth } from '../src/retrieval/embedding-health';
import { createRetrievalService } from '../src/retrieval/retrieval.service';
import { systemClock } from '../src/shared/clock';
import { silentLogger } from '../src/shared/logger';
import { makeTempDir } from '../test/support/temp-dir';

const LINES_PER_FILE = 50;
const CENTRES = 1000;
const NOISE = 2;
const QUERY_NOISE = 0.8;
const QUERIES = 60;
const VOCABULARY = Array.from({ length: 20_000 }, (_, index) => {
  const syllables = [
    'ka',
    'lo',
    'mi',
    'ren',
    'tas',
    'qu',
    'dor',
    'ri',
    'zen',
    'pha',
    'bel',
    'nox',
    'sul',
    'tri',
    'gan',
    'vo',
    'ser',
    'um',
  ];
  let word = '';
  for (let value = index + 1; value > 0; value = Math.floor(value / syllables.length))
    word += syllables[value % syllables.length];
  return word;
});

function seeded(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), state | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}
const gaussian = (random: () => number) =>
  Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());

const centreCache = new Map<string, Float32Array>();
function centre(index: number, dims: number): Float32Array {
  const key = `${index}:${dims}`;
  let vector = centreCache.get(key);
  if (!vector) {
    const random = seeded(index * 7919 + dims);
    centreCache.set(key, (vector = Float32Array.from({ length: dims }, () => gaussian(random))));
  }
  return vector;
}
/** The synthetic "embedding" of chunk `id`: its cluster centre plus noise (clustered like real embeddings). */
function chunkVector(id: number, dims: number): Float32Array {
  const random = seeded(id * 2654435761);
  const base = centre(Math.floor(random() * CENTRES), dims);
  return Float32Array.from(base, (value) => value + gaussian(random) * NOISE);
}
function queryVector(query: number, target: number, dims: number): Float32Array {
  const random = seeded(query * 40503 + 17);
  return Float32Array.from(chunkVector(target, dims), (value) => value + gaussian(random) * QUERY_NOISE);
}
function chunkText(id: number): string {
  const random = seeded(id + 99);
  const words = [`c${id}`];
  while (words.join(' ').length < 340) words.push(VOCABULARY[Math.floor(VOCABULARY.length * random() ** 3)]!);
  return words.join(' ');
}
const queryTarget = (query: number, size: number) => Math.floor(seeded(query * 31 + 5)() * size);
function queryText(query: number, size: number): string {
  const words = chunkText(queryTarget(query, size)).split(' ').slice(1);
  const random = seeded(query + 1234);
  return [`q${query}`, ...Array.from({ length: 4 }, () => words[Math.floor(random() * words.length)]!)].join(' ');
}

function syntheticClient(dims: number, size: number, timer: { ms: number }): EmbeddingClient {
  return {
    identity: { provider: 'openai', model: `synthetic-${dims}` },
    async embed(texts) {
      const started = performance.now();
      const vectors = texts.map((text) => {
        const marker = text.slice(0, text.indexOf(' '));
        const number = Number(marker.slice(1));
        return marker[0] === 'q' ? queryVector(number, queryTarget(number, size), dims) : chunkVector(number, dims);
      });
      timer.ms += performance.now() - started;
      return vectors;
    },
  };
}

function openService(dataDir: string, dims: number, size: number, timer: { ms: number }) {
  const configStore = createRuntimeConfigStore(dataDir, silentLogger);
  configStore.start();
  const openStorage = sqliteAgentStorage({ clock: systemClock, logger: silentLogger });
  const agents = createAgentRegistry({ dataDir, configStore, openStorage, clock: systemClock, logger: silentLogger });
  agents.start();
  const health = createEmbeddingHealth(syntheticClient(dims, size, timer), systemClock, silentLogger);
  return {
    agents,
    configStore,
    service: createRetrievalService({
      agents,
      openIndex: openSqliteIndex,
      health,
      clock: systemClock,
      logger: silentLogger,
    }),
  };
}

const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]!;

async function indexPhase(dataDir: string, size: number, dims: number) {
  const timer = { ms: 0 };
  const { agents, configStore, service } = openService(dataDir, dims, size, timer);
  const agent = agents.get('default');
  configStore.update(agent.root, { retrieval: { knowledge: { chunk_size: 400, chunk_overlap: 0 } } });
  for (let file = 0; file * LINES_PER_FILE < size; file++) {
    const lines = Array.from({ length: Math.min(LINES_PER_FILE, size - file * LINES_PER_FILE) }, (_, line) =>
      chunkText(file * LINES_PER_FILE + line),
    );
    mkdirSync(join(agent.root, 'knowledge', 'bench'), { recursive: true });
    writeFileSync(
      join(agent.root, 'knowledge', 'bench', `f${String(file).padStart(5, '0')}.md`),
      `${lines.join('\n')}\n`,
    );
  }
  const started = performance.now();
  // The start-up pass: the first build of a fresh index (what a new or changed corpus costs).
  await service.start();
  const totalMs = performance.now() - started;
  const status = service.status('default');
  service.close();
  agents.close();
  return {
    chunks: status.domains.knowledge.chunks,
    vectors: status.domains.knowledge.vectors,
    totalMs,
    embedMs: timer.ms,
  };
}

async function queryPhase(dataDir: string, size: number, dims: number) {
  const timer = { ms: 0 };
  const { agents, service } = openService(dataDir, dims, size, timer);
  const buildStarted = performance.now();
  await service.search('default', 'knowledge', queryText(QUERIES + 1, size), 10); // loads the vector codes
  const firstQueryMs = performance.now() - buildStarted;
  const latencies: number[] = [];
  for (let round = 0; round < 2; round++) {
    for (let query = 0; query < QUERIES; query++) {
      const started = performance.now();
      await service.search('default', 'knowledge', queryText(query, size), 10);
      if (round === 1) latencies.push(performance.now() - started);
    }
  }
  Bun.gc(true);
  const rss = rssMb();
  // One file edited through the files API (its change notice), then a query: re-chunk, embed, patch the codes.
  const agentRoot = agents.get('default').root;
  const edited = join(agentRoot, 'knowledge', 'bench', 'f00000.md');
  writeFileSync(edited, `${readFileSync(edited, 'utf8')}${chunkText(size + 1)}\n`);
  const editStarted = performance.now();
  service.onFileChanged(agentRoot, 'knowledge/bench/f00000.md');
  await service.search('default', 'knowledge', queryText(0, size), 10);
  const afterEditMs = performance.now() - editStarted;
  // Recall of the vector leg against an exact scan of every stored vector (one streaming pass for all queries).
  const agent = agents.get('default');
  const index = openAgentIndex(
    openSqliteIndex,
    'default',
    agent.root,
    agent.config(),
    { provider: 'openai', model: `synthetic-${dims}` },
    Date.now(),
  );
  const queries = Array.from({ length: QUERIES }, (_, query) => queryVector(query, queryTarget(query, size), dims));
  const best = queries.map(() => [] as { id: number; score: number }[]);
  for (const [id, vector] of index.store.iterateVectors('knowledge')) {
    let norm = 0;
    for (let dim = 0; dim < dims; dim++) norm += vector[dim]! * vector[dim]!;
    queries.forEach((query, number) => {
      let dot = 0;
      for (let dim = 0; dim < dims; dim++) dot += query[dim]! * vector[dim]!;
      const list = best[number]!;
      const score = dot / Math.sqrt(norm);
      if (list.length < 10 || score > list[list.length - 1]!.score) {
        list.push({ id, score });
        list.sort((a, b) => b.score - a.score);
        if (list.length > 10) list.pop();
      }
    });
  }
  const vectors = index.vectors('knowledge');
  let recall = 0;
  queries.forEach((query, number) => {
    const hits = vectors.search(query, 10, 400, (ids) => index.store.vectorsOf(ids));
    const exact = new Set(best[number]!.map((hit) => hit.id));
    recall += hits.filter((hit) => exact.has(hit.id)).length / 10;
  });
  index.close();
  service.close();
  agents.close();
  return {
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    rss,
    recall: recall / QUERIES,
    firstQueryMs,
    afterEditMs,
    codeMb: vectors.bytes / 1024 / 1024,
  };
}

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
if (args[0] === '--phase') {
  const [, phase, dataDir, size, dims] = args;
  const result =
    phase === 'index'
      ? await indexPhase(dataDir!, Number(size), Number(dims))
      : await queryPhase(dataDir!, Number(size), Number(dims));
  console.log(JSON.stringify(result));
  process.exit(0);
}

const sizes = option('--sizes', '10000,100000').split(',').map(Number);
const dimsList = option('--dims', '256,1536').split(',').map(Number);
const run = (argv: string[]) => {
  const child = Bun.spawnSync([process.execPath, import.meta.path, ...argv], { stderr: 'inherit' });
  if (child.exitCode !== 0) throw new Error(`child failed: ${argv.join(' ')}`);
  return JSON.parse(child.stdout.toString().trim().split('\n').at(-1)!);
};
console.log(
  '| chunks × dims | indexing (embedding excluded) | first query (loads codes) | hybrid p50 | hybrid p95 | query after a one-file edit | RSS after queries | codes in memory | vector recall@10 vs exact |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const size of sizes) {
  for (const dims of dimsList) {
    const data = makeTempDir('moc-retrieval-bench-');
    try {
      const indexed = run(['--phase', 'index', data.path, String(size), String(dims)]);
      const queried = run(['--phase', 'query', data.path, String(size), String(dims)]);
      const rate = indexed.chunks / ((indexed.totalMs - indexed.embedMs) / 1000);
      console.log(
        `| ${size.toLocaleString('en')} × ${dims} | ${Math.round(rate).toLocaleString('en')} chunks/s (${(indexed.totalMs / 1000).toFixed(1)} s, ${indexed.chunks} chunks) | ${queried.firstQueryMs.toFixed(0)} ms | ${queried.p50.toFixed(2)} ms | ${queried.p95.toFixed(2)} ms | ${queried.afterEditMs.toFixed(1)} ms | ${queried.rss.toFixed(0)} MB | ${queried.codeMb.toFixed(1)} MB | ${queried.recall.toFixed(3)} |`,
      );
    } finally {
      rmSync(data.path, { recursive: true, force: true });
    }
  }
}
