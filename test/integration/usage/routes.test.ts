import { describe, expect, it } from 'bun:test';
import { recordUsage, zeroCounts, type UnpricedUsage } from '../../../src/usage';
import { startTestServer, type TestServer } from '../../support/start-test-server';

const NOW = Date.UTC(2026, 1, 28, 12, 30);
const HOUR = 3_600_000;

async function seed(server: TestServer, agentId = 'default') {
  const store = server.deps.agents.get(agentId).storage.usage;
  const add = (atMs: number, values: Partial<UnpricedUsage>) =>
    recordUsage(
      store,
      {
        schema_version: 2,
        agent_id: agentId,
        provider: 'openai',
        model: 'gpt-5-mini',
        model_source: 'fallback_model',
        usage_source: 'usage_metadata',
        trigger_type: 'chat',
        run_id: 'run-1',
        session_id: 's1',
        ...zeroCounts(),
        ...values,
      },
      { pricingOverrides: {}, nowMs: atMs },
    );
  await add(NOW - 60_000, { input_tokens: 100, input_cache_read_tokens: 20, output_tokens: 30, run_id: 'run-newest' });
  await add(NOW - 2 * HOUR, {
    provider: 'deepseek',
    model: 'deepseek-chat',
    input_tokens: 260,
    input_cache_read_tokens: 200,
    input_uncached_tokens: 60,
    output_tokens: 44,
    trigger_type: 'cron',
    session_id: '__cron__:job',
  });
  await add(NOW - 5 * HOUR, {
    provider: 'google',
    model: 'Gemini-Unknown',
    input_tokens: 10,
    output_tokens: 5,
    trigger_type: 'heartbeat',
    session_id: '=cmd|x',
  });
  await add(NOW - 30 * HOUR, { input_tokens: 1, output_tokens: 1, run_id: 'run-old' });
}

const server = () => startTestServer({ overrides: { clock: { nowMs: () => NOW } } });

describe('GET /api/usage/records', () => {
  it('returns the last 24 hours newest first with the filters echoed and every record field', async () => {
    await using app = await server();
    await seed(app);
    const response = await app.json('GET', '/api/usage/records');
    expect(response.status).toBe(200);
    const data = response.body.data;
    expect(data.filters).toEqual({
      agent_id: 'default',
      since_hours: 24,
      provider: '',
      model: '',
      trigger_type: '',
      session_id: '',
      limit: 200,
    });
    expect(data.count).toBe(3);
    expect(data.records.map((record: any) => record.model)).toEqual(['gpt-5-mini', 'deepseek-chat', 'Gemini-Unknown']);
    expect(Object.keys(data.records[0])).toEqual([
      'schema_version',
      'timestamp_ms',
      'agent_id',
      'provider',
      'model',
      'trigger_type',
      'run_id',
      'session_id',
      'model_source',
      'usage_source',
      'input_tokens',
      'input_uncached_tokens',
      'input_cache_read_tokens',
      'input_cache_write_tokens_5m',
      'input_cache_write_tokens_1h',
      'input_cache_write_tokens_unknown',
      'output_tokens',
      'reasoning_tokens',
      'tool_input_tokens',
      'total_tokens',
      'cost_usd',
      'priced',
      'pricing',
      'estimated',
    ]);
    expect(data.records[0]).toEqual(
      expect.objectContaining({
        timestamp_ms: NOW - 60_000,
        input_uncached_tokens: 80,
        total_tokens: 130,
        priced: true,
        cost_usd: 0.0000805,
        estimated: false,
      }),
    );
    expect(data.records[2]).toEqual(expect.objectContaining({ priced: false, cost_usd: null }));
  });

  it('applies since_hours, provider, model, trigger_type, session_id and limit (strings trimmed, case-insensitive)', async () => {
    await using app = await server();
    await seed(app);
    const runIds = async (query: string) =>
      (await app.json('GET', `/api/usage/records?${query}`)).body.data.records.map((record: any) => record.run_id);
    expect(await runIds('since_hours=48')).toEqual(['run-newest', 'run-1', 'run-1', 'run-old']);
    expect(await runIds('since_hours=1')).toEqual(['run-newest']);
    expect(await runIds('provider=%20DEEPSEEK%20')).toEqual(['run-1']);
    expect(await runIds('model=gemini-unknown')).toEqual(['run-1']);
    expect(await runIds('trigger_type=Heartbeat')).toEqual(['run-1']);
    expect(await runIds('session_id=__cron__:job')).toEqual(['run-1']);
    expect(await runIds('since_hours=48&limit=2')).toEqual(['run-newest', 'run-1']);
    expect(await runIds('provider=&model=')).toHaveLength(3);
    const echo = (await app.json('GET', '/api/usage/records?provider=%20DEEPSEEK%20&limit=5')).body.data.filters;
    expect(echo).toEqual(expect.objectContaining({ provider: ' DEEPSEEK ', limit: 5 }));
  });

  it('exports CSV with a header row and one escaped row per record', async () => {
    await using app = await server();
    await seed(app);
    const response = await app.request('/api/usage/records?format=csv&since_hours=48');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="usage-default.csv"');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const lines = (await response.text()).split('\r\n');
    expect(lines[0]).toBe(
      'timestamp,timestamp_ms,agent_id,provider,model,trigger_type,run_id,session_id,model_source,usage_source,input_tokens,input_uncached_tokens,input_cache_read_tokens,input_cache_write_tokens_5m,input_cache_write_tokens_1h,input_cache_write_tokens_unknown,output_tokens,reasoning_tokens,tool_input_tokens,total_tokens,priced,cost_usd,unpriced_reason,estimated',
    );
    expect(lines).toHaveLength(6);
    expect(lines.at(-1)).toBe('');
    expect(lines[1]).toBe(
      `2026-02-28T12:29:00.000Z,${NOW - 60_000},default,openai,gpt-5-mini,chat,run-newest,s1,fallback_model,usage_metadata,100,80,20,0,0,0,30,0,0,130,true,0.0000805,,false`,
    );
    // A cell that a spreadsheet would run as a formula is defused with a leading apostrophe.
    expect(lines[3]).toContain(",'=cmd|x,");
    expect(lines[3]!.endsWith(',false,,model_not_in_catalog,false')).toBe(true);
    const empty = await app.request('/api/usage/records?format=csv&provider=anthropic');
    expect((await empty.text()).split('\r\n')).toHaveLength(2);
  });

  it('refuses out-of-range numbers, unknown formats and agents with the error envelope', async () => {
    await using app = await server();
    for (const [query, field] of [
      ['since_hours=0', 'query.since_hours'],
      ['since_hours=8761', 'query.since_hours'],
      ['limit=0', 'query.limit'],
      ['limit=2001', 'query.limit'],
      ['limit=ten', 'query.limit'],
      ['format=xml', 'query.format'],
    ]) {
      const response = await app.json('GET', `/api/usage/records?${query}`);
      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe('validation_error');
      expect(response.body.error.details.items[0].field).toBe(field);
    }
    expect((await app.json('GET', '/api/usage/records?agent_id=nobody')).status).toBe(404);
    expect((await app.json('GET', '/api/usage/summary?agent_id=bad%20id')).status).toBe(400);
  });
});

describe('GET /api/usage/summary', () => {
  it('sums the matching records per provider and model', async () => {
    await using app = await server();
    await seed(app);
    const data = (await app.json('GET', '/api/usage/summary')).body.data;
    expect(data.filters).toEqual({
      agent_id: 'default',
      since_hours: 24,
      provider: '',
      model: '',
      trigger_type: '',
      session_id: '',
    });
    expect(data.count).toBe(3);
    expect(data.totals).toEqual(
      expect.objectContaining({
        runs: 3,
        priced_runs: 2,
        unpriced_runs: 1,
        input_tokens: 370,
        output_tokens: 79,
        total_tokens: 449,
      }),
    );
    expect(data.totals.cost_usd).toBe(
      Math.round((0.0000805 + (60 * 0.28 + 200 * 0.028 + 44 * 0.42) / 1e6) * 1e8) / 1e8,
    );
    expect(data.by_provider_model.map((row: any) => `${row.provider}/${row.model}`)).toEqual([
      'openai/gpt-5-mini',
      'deepseek/deepseek-chat',
      'google/Gemini-Unknown',
    ]);
    expect(data.by_provider.map((row: any) => row.provider)).toEqual(['openai', 'deepseek', 'google']);
    expect((await app.json('GET', '/api/usage/summary?trigger_type=cron')).body.data.totals.runs).toBe(1);
  });
});

describe('GET /api/usage/timeseries', () => {
  it('buckets by hour and by day in a time zone, empty buckets included', async () => {
    await using app = await server();
    await seed(app);
    const hourly = (await app.json('GET', '/api/usage/timeseries?since_hours=6&bucket=hour')).body.data;
    expect(hourly.filters).toEqual(expect.objectContaining({ since_hours: 6, bucket: 'hour', timezone: 'UTC' }));
    expect(hourly.buckets.map((bucket: any) => bucket.runs)).toEqual([0, 1, 0, 0, 1, 0, 1]);
    expect(hourly.buckets[0].start).toBe('2026-02-28T06:00:00.000Z');
    const daily = (
      await app.json('GET', '/api/usage/timeseries?since_hours=48&bucket=day&timezone=America/Los_Angeles')
    ).body.data;
    expect(daily.buckets.map((bucket: any) => [bucket.start, bucket.runs])).toEqual([
      ['2026-02-26T08:00:00.000Z', 1],
      ['2026-02-27T08:00:00.000Z', 1],
      ['2026-02-28T08:00:00.000Z', 2],
    ]);
    expect((await app.json('GET', '/api/usage/timeseries?bucket=week')).status).toBe(422);
    expect((await app.json('GET', '/api/usage/timeseries?timezone=Mars/Base')).status).toBe(422);
  });
});
