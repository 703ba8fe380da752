// Usage benchmarks: one agent with 1,000,000 usage records; summary, records (limit 100), time series and the budget check.
// Run: node_modules/.bin/bun bench/usage.bench.ts   (building the ledger takes a while; it is removed afterwards)
import { availableParallelism, totalmem } from 'node:os';
import { readEnvSettings } from '../src/config';
import { startServer } from '../src/server';
import { silentLogger } from '../src/shared/logger';
import { Database } from 'bun:sqlite';
import { join } from 'node:path';
import { checkBudget, createUsagePricer, HOUR_MS, zeroCounts, type UsageRecord } from '../src/usage';
import { createSqliteUsageStore } from '../src/usage/sqlite/usage-store.sqlite';
import { makeTempDir } from '../test/support/temp-dir';

const RECORDS = 1_000_000;
const SPAN_HOURS = 8760;
const RUNS = 200;
const TARGETS = { summaryMs: 50, recordsMs: 10 };
const MODELS: [string, string][] = [
  ['openai', 'gpt-5-mini'],
  ['openai', 'gpt-4o'],
  ['deepseek', 'deepseek-chat'],
  ['anthropic', 'claude-sonnet-4'],
  ['google', 'gemini-2.5-flash'],
  ['unknown', 'local-model'],
];
const TRIGGERS = ['chat', 'chat', 'chat', 'cron', 'heartbeat', 'title'];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number) => `${value.toFixed(2)} ms`;

using dir = makeTempDir('moc-bench-usage-');
const settings = readEnvSettings({ APP_DATA_DIR: dir.path, APP_LOG_LEVEL: 'silent', APP_RATE_LIMIT_ENABLED: 'false' });
const server = await startServer({
  settings: { ...settings, host: '127.0.0.1', port: 0 },
  overrides: { logger: silentLogger },
});
const { deps } = server;
const baseUrl = server.url;
// The ledger is built through the bench's own connection to the agent database, in one transaction.
const agentStore = deps.agents.get('default').storage.usage;
const db = new Database(join(dir.path, 'workspaces', 'default', 'storage', 'agent.db'));
const now = Date.now();

console.log(
  `building ${RECORDS.toLocaleString('en')} usage records over ${SPAN_HOURS} hours (6 models x 6 trigger types, 5,000 sessions)…`,
);
const price = createUsagePricer();
const templates: UsageRecord[] = MODELS.map(([provider, model]) =>
  price({
    schema_version: 2,
    agent_id: 'default',
    provider,
    model,
    model_source: 'fallback_model',
    usage_source: 'usage_metadata',
    trigger_type: 'chat',
    run_id: '',
    session_id: '',
    ...zeroCounts(),
    input_tokens: 1200,
    input_uncached_tokens: 1000,
    input_cache_read_tokens: 200,
    output_tokens: 300,
    total_tokens: 1500,
  }),
);
const store = createSqliteUsageStore(db);
const started = performance.now();
db.transaction(() => {
  for (let index = 0; index < RECORDS; index++) {
    const template = templates[index % templates.length]!;
    const at = now - Math.floor(((RECORDS - index) / RECORDS) * SPAN_HOURS * HOUR_MS);
    // The SQLite adapter writes before its promise settles, so the transaction holds every row.
    void store.insert(
      {
        ...template,
        trigger_type: TRIGGERS[Math.floor(index / MODELS.length) % TRIGGERS.length]!,
        run_id: `run-${index}`,
        session_id: `session-${index % 5000}`,
      },
      at,
    );
  }
})();
console.log(`  inserted in ${((performance.now() - started) / 1000).toFixed(1)} s (rollup kept by trigger)`);

async function measure(label: string, path: string, target?: number): Promise<void> {
  const times: number[] = [];
  let size = 0;
  for (let run = 0; run < RUNS + 10; run++) {
    const begin = performance.now();
    const response = await fetch(`${baseUrl}${path}`);
    const body = await response.text();
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${body.slice(0, 200)}`);
    if (run >= 10) times.push(performance.now() - begin);
    size = body.length;
  }
  const p50 = median(times);
  const verdict = target === undefined ? '' : `  (target <= ${target} ms: ${p50 <= target ? 'met' : 'MISSED'})`;
  console.log(
    `  ${label}: p50 ${ms(p50)}, p95 ${ms([...times].sort((a, b) => a - b)[Math.floor(times.length * 0.95)]!)}, ${size.toLocaleString('en')} bytes${verdict}`,
  );
}

console.log(
  `\nlatency over HTTP (real server on loopback, sequential), ${RUNS} requests each; ${availableParallelism()} cores, ${Math.round(totalmem() / 2 ** 30)} GB, Bun ${Bun.version}`,
);

await measure('GET /api/usage/summary (default 24 h)', '/api/usage/summary', TARGETS.summaryMs);
await measure(
  'GET /api/usage/summary?since_hours=8760 (all 1,000,000 rows)',
  '/api/usage/summary?since_hours=8760',
  TARGETS.summaryMs,
);
await measure(
  'GET /api/usage/summary?since_hours=8760&provider=openai&trigger_type=chat',
  '/api/usage/summary?since_hours=8760&provider=openai&trigger_type=chat',
  TARGETS.summaryMs,
);
await measure(
  'GET /api/usage/summary?since_hours=8760&session_id=session-42 (200 rows, raw)',
  '/api/usage/summary?since_hours=8760&session_id=session-42',
  TARGETS.summaryMs,
);
await measure('GET /api/usage/records?limit=100', '/api/usage/records?limit=100', TARGETS.recordsMs);
await measure(
  'GET /api/usage/records?limit=100&since_hours=8760&provider=google',
  '/api/usage/records?limit=100&since_hours=8760&provider=google',
  TARGETS.recordsMs,
);
await measure(
  'GET /api/usage/records?limit=100&since_hours=8760&session_id=session-42',
  '/api/usage/records?limit=100&since_hours=8760&session_id=session-42',
  TARGETS.recordsMs,
);
await measure(
  'GET /api/usage/records?limit=2000&format=csv&since_hours=8760',
  '/api/usage/records?limit=2000&format=csv&since_hours=8760',
);
await measure(
  'GET /api/usage/timeseries?since_hours=8760&bucket=day',
  '/api/usage/timeseries?since_hours=8760&bucket=day',
);
await measure(
  'GET /api/usage/timeseries?since_hours=8760&bucket=day&timezone=Europe/Berlin',
  '/api/usage/timeseries?since_hours=8760&bucket=day&timezone=Europe/Berlin',
);
await measure(
  'GET /api/usage/timeseries?since_hours=168&bucket=hour',
  '/api/usage/timeseries?since_hours=168&bucket=hour',
);

const config = {
  usage: {
    ...deps.agents.get('default').config().usage,
    budget: { daily_usd: 10, monthly_usd: 100, action: 'block' as const, timezone: 'Europe/Berlin' },
  },
};
const budgetTimes: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const begin = performance.now();
  await checkBudget(agentStore, config, Date.now());
  budgetTimes.push(performance.now() - begin);
}
console.log(`  checkBudget (daily + monthly caps, before every run): p50 ${ms(median(budgetTimes))}`);
db.close();
await server.close();
