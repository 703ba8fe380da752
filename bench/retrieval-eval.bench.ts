// Retrieval quality on the evaluation set: recall@5 and MRR@10 for keyword-only, vector-only, hybrid and the original's scoring.
// Run: node_modules/.bin/bun bench/retrieval-eval.bench.ts   (regenerate the set with bench/retrieval-eval/generate.ts)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Database } from 'bun:sqlite';
import { readEnvSettings } from '../src/config';
import { buildDeps } from '../src/deps';
import {
  createEmbeddingClient,
  createEmbeddingHealth,
  createRetrievalService,
  type FusionMethod,
} from '../src/retrieval';
import { openSqliteIndex } from '../src/retrieval/sqlite/open-index';
import { cosine } from '../src/retrieval/vector-codes';
import { silentLogger } from '../src/shared/logger';
import { createConceptEmbedder } from '../test/support/concept-embedder';
import { startFakeOpenAiServer } from '../test/support/fake-openai-server';
import { makeTempDir } from '../test/support/temp-dir';
import corpus from '../test/fixtures/retrieval-eval/corpus.json';
import conceptsFile from '../test/fixtures/retrieval-eval/concepts.json';
import queriesFile from '../test/fixtures/retrieval-eval/queries.json';

const TOP_K = 10;
const embed = createConceptEmbedder(conceptsFile.concepts);
await using model = await startFakeOpenAiServer();
model.setEmbedder(embed);
using data = makeTempDir('moc-eval-');
const settings = readEnvSettings({
  APP_DATA_DIR: data.path,
  APP_LOG_LEVEL: 'silent',
  EMBEDDING_BASE_URL: model.baseUrl,
  EMBEDDING_API_KEY: 'k',
  EMBEDDING_MODEL: 'concept-embed',
});
const deps = buildDeps(settings, { logger: silentLogger, env: {}, envFilePath: join(data.path, '.env') });
await deps.start();
const agent = deps.agents.get('default');
for (const document of corpus.documents) {
  const path = join(agent.root, document.path);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, document.text);
}
const health = createEmbeddingHealth(createEmbeddingClient(settings.embedding), deps.clock, silentLogger);
const services = Object.fromEntries(
  (['minmax', 'rrf', 'zscore'] as FusionMethod[]).map((fusion) => [
    fusion,
    createRetrievalService({
      agents: deps.agents,
      openIndex: openSqliteIndex,
      health,
      clock: deps.clock,
      logger: silentLogger,
      fusion,
    }),
  ]),
);
// The server's own service indexes the corpus; the services compared below only read that index.
await deps.retrieval.search('default', 'knowledge', 'warm up');
const setWeights = (semantic: number, lexical: number) =>
  deps.configStore.update(agent.root, {
    retrieval: { knowledge: { semantic_weight: semantic, lexical_weight: lexical } },
  });

// The original's scoring (internals §6.4–6.5): ASCII-token FTS prefilter, then cosine·0.7 + substring count·0.3.
const indexPath = join(agent.root, 'storage', 'retrieval.db');
const index = openSqliteIndex('sqlite', indexPath, health.identity);
const { store } = index;
// The chunk texts in id order, read through a connection of the bench's own.
const reader = new Database(indexPath, { readonly: true });
const allChunks = reader
  .query(
    "SELECT c.id, s.path, c.text FROM chunks c JOIN sources s ON s.id = c.source_id WHERE c.domain = 'knowledge' ORDER BY c.id",
  )
  .all() as { id: number; path: string; text: string }[];
const vectors = store.vectorsOf(allChunks.map((chunk) => chunk.id));
function originalSearch(query: string, topK: number): string[] {
  const lowered = query.trim().toLowerCase();
  const tokens = [...new Set((lowered.match(/[A-Za-z0-9_]+/g) ?? []).slice(0, 24))];
  const k = Math.max(topK, 50);
  let ids = tokens.length
    ? store.keywordSearch('knowledge', tokens.map((token) => `"${token}"`).join(' OR '), k).map((hit) => hit.id)
    : [];
  if (ids.length === 0) ids = allChunks.slice(-k).map((chunk) => chunk.id);
  const queryVector = Float32Array.from(embed(lowered));
  const terms = [...new Set(lowered.split(/\s+/).filter(Boolean))];
  const byId = new Map(allChunks.map((chunk) => [chunk.id, chunk]));
  return ids
    .map((id) => {
      const chunk = byId.get(id)!;
      const text = chunk.text.toLowerCase();
      const lexical = terms.filter((term) => text.includes(term)).length;
      return { path: chunk.path, score: cosine(queryVector, vectors.get(id)!) * 0.7 + lexical * 0.3 };
    })
    .filter((hit) => hit.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, topK)
    .map((hit) => hit.path);
}

type Ranker = (query: string) => Promise<string[]>;
const viaService =
  (fusion: string, semantic: number, lexical: number): Ranker =>
  async (query) => {
    setWeights(semantic, lexical);
    return (await services[fusion]!.search('default', 'knowledge', query, TOP_K)).map((hit) => hit.source);
  };
const rankers: [string, Ranker][] = [
  ['keyword only (bm25)', viaService('minmax', 0, 1)],
  ['vector only (cosine)', viaService('minmax', 1, 0)],
  ['original scoring (FTS prefilter, cosine + substring count)', async (query) => originalSearch(query, TOP_K)],
  ['hybrid, reciprocal-rank fusion 0.7/0.3', viaService('rrf', 0.7, 0.3)],
  ['hybrid, min-max fusion 0.7/0.3', viaService('minmax', 0.7, 0.3)],
  ['hybrid, standard-score fusion 0.7/0.3 (shipped)', viaService('zscore', 0.7, 0.3)],
];

const kinds = [...new Set(queriesFile.queries.map((query) => query.kind))];
console.log(
  `${corpus.documents.length} documents, ${queriesFile.queries.length} queries (${kinds.map((kind) => `${queriesFile.queries.filter((query) => query.kind === kind).length} ${kind}`).join(', ')})`,
);
console.log(`| method | recall@5 | MRR@10 | ${kinds.map((kind) => `${kind} R@5`).join(' | ')} |`);
console.log(`| --- | --- | --- | ${kinds.map(() => '---').join(' | ')} |`);
for (const [name, rank] of rankers) {
  let found = 0;
  let reciprocal = 0;
  const perKind = new Map<string, number>();
  for (const query of queriesFile.queries) {
    const sources = await rank(query.query);
    const position = sources.findIndex((source) => query.relevant.includes(source));
    if (position >= 0 && position < 5) {
      found += 1;
      perKind.set(query.kind, (perKind.get(query.kind) ?? 0) + 1);
    }
    if (position >= 0 && position < 10) reciprocal += 1 / (position + 1);
  }
  const total = queriesFile.queries.length;
  const byKind = kinds.map((kind) =>
    ((perKind.get(kind) ?? 0) / queriesFile.queries.filter((query) => query.kind === kind).length).toFixed(2),
  );
  console.log(
    `| ${name} | ${(found / total).toFixed(3)} | ${(reciprocal / total).toFixed(3)} | ${byKind.join(' | ')} |`,
  );
}
reader.close();
index.close();
for (const service of Object.values(services)) service.close();
await deps.close();
