import { describe, expect, it } from 'bun:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../../support/start-test-server';

const DEFAULT_CONFIG = {
  rag_mode: false,
  injection_mode: 'every_turn',
  bootstrap_max_chars: 20000,
  bootstrap_total_max_chars: 150000,
  agent_runtime: { max_steps: 20, max_retries: 1 },
  llm_runtime: { temperature: 0.2, timeout_seconds: 60 },
  retrieval: {
    memory: { top_k: 3, semantic_weight: 0.7, lexical_weight: 0.3, chunk_size: 256, chunk_overlap: 32 },
    knowledge: { top_k: 3, semantic_weight: 0.7, lexical_weight: 0.3, chunk_size: 400, chunk_overlap: 80 },
    storage: { engine: 'sqlite', db_path: 'storage/retrieval.db', fts_prefilter_k: 50 },
  },
  tool_retry_guard: { repeat_identical_failure_limit: 2 },
  tool_network: {
    allow_http_schemes: ['http', 'https'],
    block_private_networks: true,
    allow_private_hosts: [],
    max_redirects: 3,
    max_content_bytes: 2000000,
  },
  tool_timeouts: { terminal_seconds: 30, python_repl_seconds: 30, fetch_url_seconds: 15 },
  tool_output_limits: { terminal_chars: 5000, fetch_url_chars: 5000, read_file_chars: 10000 },
  autonomous_tools: {
    heartbeat_enabled_tools: ['read', 'read_file', 'read_files', 'search_knowledge_base', 'search_memory'],
    cron_enabled_tools: [
      'web_search',
      'web_fetch',
      'fetch_url',
      'read',
      'read_file',
      'read_files',
      'search_knowledge_base',
    ],
    chat_blocked_tools: [],
  },
  tool_sandbox: {
    mode: 'auto',
    allow_network: false,
    max_processes: 256,
    max_memory_mb: 1024,
    max_file_size_mb: 256,
    max_cpu_seconds: 120,
    tmp_size_mb: 64,
    max_output_mb: 64,
  },
  tool_approvals: { chat: [], cron: [], heartbeat: [], timeout_seconds: 86_400, max_pending: 100 },
  tool_web_search: { provider: 'duckduckgo_html', max_results: 5 },
  scheduler: { api_enabled: true, runs_query_default_limit: 100 },
  heartbeat: {
    enabled: false,
    interval_seconds: 300,
    timezone: 'UTC',
    active_start_hour: 9,
    active_end_hour: 21,
    session_id: '__heartbeat__',
  },
  cron: {
    enabled: true,
    poll_interval_seconds: 20,
    timezone: 'UTC',
    max_failures: 8,
    retry_base_seconds: 30,
    retry_max_seconds: 3600,
    failure_retention: 200,
    max_concurrent_runs: 1,
  },
  usage: { pricing_overrides: {}, budget: { daily_usd: null, monthly_usd: null, action: 'warn', timezone: 'UTC' } },
  llm_profiles: {},
  llm_route: {
    default: 'default',
    fallbacks: [],
    fallback_on: { timeout: true, rate_limit: true, server_error: true, network_error: true, auth_error: false },
  },
  llm_breaker: { failure_threshold: 3, cooldown_seconds: 60, max_cooldown_seconds: 900 },
  embedding_profiles: {},
  embedding_route: {
    default: 'default',
    fallbacks: [],
    fallback_on: { timeout: true, rate_limit: true, server_error: true, network_error: true, auth_error: false },
  },
};

const agentConfigPath = (dataDir: string, agentId: string) => join(dataDir, 'workspaces', agentId, 'config.json');
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('GET /api/config/runtime', () => {
  it('returns the full effective config with its defaults', async () => {
    await using server = await startTestServer();
    const response = await server.json('GET', '/api/config/runtime');
    expect(response.body).toEqual({ data: { agent_id: 'default', config: DEFAULT_CONFIG } });
    expect(readJson(join(server.dataDir, 'config.json'))).toEqual(DEFAULT_CONFIG);
  });

  it('picks up a hand edit of the global config.json without a restart, and keeps the last good one after a bad edit', async () => {
    await using server = await startTestServer();
    const globalPath = join(server.dataDir, 'config.json');
    await server.json('GET', '/api/config/runtime');
    writeFileSync(globalPath, JSON.stringify({ rag_mode: true, scheduler: { runs_query_default_limit: 7 } }));
    const edited = (await server.json('GET', '/api/config/runtime')).body.data.config;
    expect(edited).toEqual({
      ...DEFAULT_CONFIG,
      rag_mode: true,
      scheduler: { api_enabled: true, runs_query_default_limit: 7 },
    });
    expect((await server.json('GET', '/api/config/rag-mode')).body.data).toEqual({
      enabled: true,
      agent_id: 'default',
    });

    writeFileSync(globalPath, '{"rag_mode": "not json');
    const afterBadEdit = await server.json('GET', '/api/config/runtime');
    expect(afterBadEdit.status).toBe(200);
    expect(afterBadEdit.body.data.config).toEqual(edited);
  });
});

describe('PUT /api/config/runtime', () => {
  it('round-trips a changed config and stores only the keys that differ from the global config', async () => {
    await using server = await startTestServer();
    const current = (await server.json('GET', '/api/config/runtime')).body.data.config;
    current.scheduler.runs_query_default_limit = 42;
    current.retrieval.storage.fts_prefilter_k = 25;
    const saved = await server.json('PUT', '/api/config/runtime', { config: current });
    expect(saved.status).toBe(200);
    expect(saved.body.data).toEqual({ agent_id: 'default', config: current });
    expect((await server.json('GET', '/api/config/runtime')).body.data.config).toEqual(current);
    expect(readJson(agentConfigPath(server.dataDir, 'default'))).toEqual({
      retrieval: { storage: { fts_prefilter_k: 25 } },
      scheduler: { runs_query_default_limit: 42 },
    });
    expect(readJson(join(server.dataDir, 'config.json'))).toEqual(DEFAULT_CONFIG);
  });

  it('merges a partial config over the current one, and drops keys set back to the global value', async () => {
    await using server = await startTestServer();
    await server.json('PUT', '/api/config/runtime', {
      config: { scheduler: { runs_query_default_limit: 42 }, rag_mode: true },
    });
    const partial = await server.json('PUT', '/api/config/runtime', {
      config: { llm_runtime: { temperature: 0.5 }, rag_mode: false },
    });
    expect(partial.body.data.config).toEqual({
      ...DEFAULT_CONFIG,
      llm_runtime: { temperature: 0.5, timeout_seconds: 60 },
      scheduler: { api_enabled: true, runs_query_default_limit: 42 },
    });
    expect(readJson(agentConfigPath(server.dataDir, 'default'))).toEqual({
      llm_runtime: { temperature: 0.5 },
      scheduler: { runs_query_default_limit: 42 },
    });
  });

  it('refuses wrong types and unknown keys with 422 naming each field, and leaves the file untouched', async () => {
    await using server = await startTestServer();
    await server.json('PUT', '/api/config/runtime', { config: { scheduler: { runs_query_default_limit: 42 } } });
    const before = readFileSync(agentConfigPath(server.dataDir, 'default'));
    const response = await server.json(
      'PUT',
      '/api/config/runtime',
      {
        config: {
          rag_mode: 'false',
          llm_runtime: { timeout_seconds: 0 },
          cron: { timezone: 'Mars/Olympus', nope: 1 },
          bogus: true,
        },
      },
      { 'x-request-id': 'r-config' },
    );
    expect(response.status).toBe(422);
    expect(response.body.error).toEqual({
      code: 'validation_error',
      message: 'config.rag_mode: invalid input: expected boolean, received string (and 4 more)',
      details: { items: expect.any(Array) },
      request_id: 'r-config',
    });
    const items = response.body.error.details.items as { field: string; code: string; message: string }[];
    expect(items.map(({ field, code }) => ({ field, code })).sort((a, b) => a.field.localeCompare(b.field))).toEqual([
      { field: 'config.bogus', code: 'extra_forbidden' },
      { field: 'config.cron.nope', code: 'extra_forbidden' },
      { field: 'config.cron.timezone', code: 'value_error' },
      { field: 'config.llm_runtime.timeout_seconds', code: 'greater_than_equal' },
      { field: 'config.rag_mode', code: 'bool_type' },
    ]);
    for (const item of items) expect(item).toEqual({ field: item.field, code: item.code, message: expect.any(String) });
    expect(readFileSync(agentConfigPath(server.dataDir, 'default'))).toEqual(before);
    expect((await server.json('GET', '/api/config/runtime')).body.data.config.scheduler.runs_query_default_limit).toBe(
      42,
    );
  });

  it('refuses a body without a config object with 422', async () => {
    await using server = await startTestServer();
    for (const body of [
      {},
      { config: 'rag_mode=true' },
      { config: [1] },
      { config: 5 },
      { config: null },
      { config: true },
    ]) {
      const response = await server.json('PUT', '/api/config/runtime', body);
      expect(response.status).toBe(422);
      const code = 'config' in body ? 'dict_type' : 'missing';
      expect(response.body.error.details.items).toEqual([{ field: 'config', message: expect.any(String), code }]);
    }
    expect(readFileSync(agentConfigPath(server.dataDir, 'default'), 'utf8')).toBe('{}\n');
  });

  it('refuses a chunk_overlap above half the chunk_size with 422 naming the field', async () => {
    await using server = await startTestServer();
    const response = await server.json('PUT', '/api/config/runtime', {
      config: { retrieval: { knowledge: { chunk_size: 10_001, chunk_overlap: 10_000 } } },
    });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('validation_error');
    expect(response.body.error.details.items).toEqual([
      {
        field: 'config.retrieval.knowledge.chunk_overlap',
        message: 'chunk_overlap must be at most half of chunk_size',
        code: 'value_error',
      },
    ]);
    expect(readFileSync(agentConfigPath(server.dataDir, 'default'), 'utf8')).toBe('{}\n');
    const accepted = await server.json('PUT', '/api/config/runtime', {
      config: { retrieval: { knowledge: { chunk_size: 20_000, chunk_overlap: 10_000 } } },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.data.config.retrieval.knowledge).toMatchObject({ chunk_size: 20_000, chunk_overlap: 10_000 });
  });

  it('keeps loading an agent config.json written before that rule, and takes a change that leaves its chunking alone', async () => {
    await using server = await startTestServer();
    // An overlap above half was accepted before: a stored one must not cost the agent the rest of its config.
    const stored = {
      llm_runtime: { temperature: 0.3 },
      retrieval: { memory: { chunk_size: 400, chunk_overlap: 300 } },
    };
    writeFileSync(agentConfigPath(server.dataDir, 'default'), JSON.stringify(stored));
    const read = (await server.json('GET', '/api/config/runtime')).body.data.config;
    expect([read.llm_runtime.temperature, read.retrieval.memory.chunk_overlap]).toEqual([0.3, 300]);
    const unrelated = await server.json('PUT', '/api/config/runtime', {
      config: { llm_runtime: { temperature: 0.5 } },
    });
    expect(unrelated.status).toBe(200);
    // The web client puts back the whole config it read, chunk settings included.
    const whole = { ...read, llm_runtime: { ...read.llm_runtime, temperature: 0.6 } };
    expect((await server.json('PUT', '/api/config/runtime', { config: whole })).status).toBe(200);
    expect(readJson(agentConfigPath(server.dataDir, 'default')).retrieval.memory).toEqual({
      chunk_size: 400,
      chunk_overlap: 300,
    });
    const touched = await server.json('PUT', '/api/config/runtime', {
      config: { retrieval: { memory: { chunk_overlap: 250 } } },
    });
    expect([touched.status, touched.body.error.details.items[0].field]).toEqual([
      422,
      'config.retrieval.memory.chunk_overlap',
    ]);
  });
});

describe('/api/config/rag-mode', () => {
  it('switches rag mode for one agent only', async () => {
    await using server = await startTestServer();
    await server.json('POST', '/api/agents', { agent_id: 'b' });
    expect((await server.json('GET', '/api/config/rag-mode?agent_id=b')).body.data).toEqual({
      enabled: false,
      agent_id: 'b',
    });
    expect((await server.json('PUT', '/api/config/rag-mode?agent_id=b', { enabled: true })).body).toEqual({
      data: { enabled: true, agent_id: 'b' },
    });
    expect((await server.json('GET', '/api/config/rag-mode?agent_id=b')).body.data).toEqual({
      enabled: true,
      agent_id: 'b',
    });
    expect((await server.json('GET', '/api/config/rag-mode')).body.data).toEqual({
      enabled: false,
      agent_id: 'default',
    });
    expect(readJson(agentConfigPath(server.dataDir, 'b'))).toEqual({ rag_mode: true });
    expect(readJson(agentConfigPath(server.dataDir, 'default'))).toEqual({});

    expect((await server.json('PUT', '/api/config/rag-mode?agent_id=b', { enabled: false })).body.data).toEqual({
      enabled: false,
      agent_id: 'b',
    });
    expect((await server.json('GET', '/api/config/runtime?agent_id=b')).body.data.config.rag_mode).toBe(false);
  });

  it('refuses a non-boolean body with 422 and an unknown agent with 404', async () => {
    await using server = await startTestServer();
    const invalid = await server.json('PUT', '/api/config/rag-mode', { enabled: 'maybe' });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.details.items).toEqual([
      { field: 'enabled', message: expect.any(String), code: 'bool_type' },
    ]);
    expect((await server.json('PUT', '/api/config/rag-mode?agent_id=ghost', { enabled: true })).status).toBe(404);
    expect(server.deps.agents.ids()).toEqual(['default']);
  });
});

describe('/api/config/tracing', () => {
  it('reports the switch and persists exactly one OBS_TRACING_ENABLED line in .env', async () => {
    await using server = await startTestServer();
    const off = { provider: 'langsmith', config_key: 'OBS_TRACING_ENABLED', enabled: false };
    expect((await server.json('GET', '/api/config/tracing')).body).toEqual({ data: off });
    const envPath = join(server.dataDir, '.env');
    writeFileSync(envPath, '# local settings\nLLM_MODEL=test\nexport OBS_TRACING_ENABLED=yes\nOBS_TRACING_ENABLED=1\n');

    expect((await server.json('PUT', '/api/config/tracing', { enabled: true })).body).toEqual({
      data: { ...off, enabled: true },
    });
    expect((await server.json('GET', '/api/config/tracing')).body.data.enabled).toBe(true);
    expect((await server.json('PUT', '/api/config/tracing', { enabled: false })).body).toEqual({ data: off });
    expect((await server.json('GET', '/api/config/tracing')).body.data.enabled).toBe(false);

    const lines = readFileSync(envPath, 'utf8').split('\n');
    expect(lines.filter((line) => line.includes('OBS_TRACING_ENABLED'))).toEqual(['OBS_TRACING_ENABLED=false']);
    expect(readFileSync(envPath, 'utf8')).toBe('# local settings\nLLM_MODEL=test\nOBS_TRACING_ENABLED=false\n');
  });

  it('creates .env when absent and follows LANGSMITH_TRACING at start', async () => {
    await using server = await startTestServer({ env: { LANGSMITH_TRACING: 'true' } });
    expect((await server.json('GET', '/api/config/tracing')).body.data.enabled).toBe(true);
    await server.json('PUT', '/api/config/tracing', { enabled: false });
    expect(readFileSync(join(server.dataDir, '.env'), 'utf8')).toBe('OBS_TRACING_ENABLED=false\n');
    expect((await server.json('GET', '/api/config/tracing')).body.data.enabled).toBe(false);
  });
});
