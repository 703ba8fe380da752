import { describe, expect, it } from 'bun:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../../support/start-test-server';
import { makeTempDir } from '../../support/temp-dir';

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

const PROFILES = {
  hosted: { base_url: 'https://api.example.com/v1', model: 'big-model', api_key_env: 'HOSTED_KEY' },
  local: { base_url: 'http://127.0.0.1:11434/v1', model: 'llama3.2' },
};

async function serverWithProfiles(env: Record<string, string> = {}) {
  const temp = makeTempDir('moc-llm-config-');
  writeFileSync(join(temp.path, 'config.json'), JSON.stringify({ llm_profiles: PROFILES }));
  const server = await startTestServer({ dataDir: temp.path, env });
  return {
    server,
    async [Symbol.asyncDispose]() {
      await server.stop();
      temp[Symbol.dispose]();
    },
  };
}

describe('llm_route in PUT /api/config/runtime', () => {
  it('sets a route per agent over the global profiles', async () => {
    await using fixture = await serverWithProfiles({ HOSTED_KEY: 'k' });
    const { server } = fixture;
    await server.json('POST', '/api/agents', { agent_id: 'writer' });
    const response = await server.json('PUT', '/api/config/runtime?agent_id=writer', {
      config: { llm_route: { default: 'hosted', fallbacks: ['local'] } },
    });
    expect(response.status).toBe(200);
    expect(response.body.data.config.llm_route).toEqual({
      default: 'hosted',
      fallbacks: ['local'],
      fallback_on: { timeout: true, rate_limit: true, server_error: true, network_error: true, auth_error: false },
    });
    expect((await server.json('GET', '/api/config/runtime')).body.data.config.llm_route.default).toBe('default');
  });

  it('refuses an unknown profile, a fallback equal to the default and a repeated fallback with 422', async () => {
    await using fixture = await serverWithProfiles();
    const { server } = fixture;
    const before = readFileSync(join(server.dataDir, 'workspaces', 'default', 'config.json'), 'utf8');
    const cases: [unknown, string, string][] = [
      [{ default: 'nope' }, 'config.llm_route.default', 'Unknown profile "nope"; known: default, hosted, local'],
      [
        { default: 'hosted', fallbacks: ['hosted'] },
        'config.llm_route.fallbacks.0',
        'A fallback cannot be the default',
      ],
      [
        { default: 'hosted', fallbacks: ['local', 'local'] },
        'config.llm_route.fallbacks.1',
        'Profile "local" is listed twice',
      ],
      [
        { default: 'hosted', fallbacks: ['ghost'] },
        'config.llm_route.fallbacks.0',
        'Unknown profile "ghost"; known: default, hosted, local',
      ],
    ];
    for (const [route, field, message] of cases) {
      const response = await server.json('PUT', '/api/config/runtime', { config: { llm_route: route } });
      expect(response.status).toBe(422);
      expect(response.body.error.details.items).toEqual([{ field, message, code: 'value_error' }]);
      expect(response.body.error.message.startsWith(`${field}: `)).toBe(true);
    }
    expect(readFileSync(join(server.dataDir, 'workspaces', 'default', 'config.json'), 'utf8')).toBe(before);
  });

  it('keeps provider profiles and breaker settings out of an agent layer', async () => {
    await using fixture = await serverWithProfiles();
    const { server } = fixture;
    await server.json('POST', '/api/agents', { agent_id: 'writer' });
    const response = await server.json('PUT', '/api/config/runtime?agent_id=writer', {
      config: {
        llm_profiles: { ...PROFILES, mine: { base_url: 'http://10.0.0.1/v1', model: 'm' } },
        llm_breaker: { failure_threshold: 9 },
      },
    });
    expect(response.status).toBe(422);
    expect(response.body.error.details.items.map((item: any) => item.field)).toEqual([
      'config.llm_profiles',
      'config.llm_breaker',
    ]);
  });

  it('refuses a profile named default, a key in the profile, and a bad base_url', async () => {
    const temp = makeTempDir('moc-llm-bad-');
    writeFileSync(
      join(temp.path, 'config.json'),
      JSON.stringify({
        llm_profiles: {
          default: { base_url: 'https://a.example/v1', model: 'm' },
          leaky: { base_url: 'ftp://a.example', model: 'm', api_key: 'sk-123' },
        },
      }),
    );
    try {
      await expect(startTestServer({ dataDir: temp.path })).rejects.toThrow(
        /llm_profiles\.leaky\.base_url: Invalid URL; .*llm_profiles\.leaky\.api_key: Unknown key; .*llm_profiles\.default: The profile id "default" is reserved/,
      );
    } finally {
      temp[Symbol.dispose]();
    }
  });
});

describe('GET /api/config/llm', () => {
  it('lists every profile with its key variable and whether it is set, never the key', async () => {
    await using fixture = await serverWithProfiles({
      HOSTED_KEY: 'sk-hosted-secret',
      LLM_BASE_URL: 'http://127.0.0.1:9/v1',
      LLM_MODEL: 'env-model',
      LLM_API_KEY: 'sk-env-secret',
    });
    const response = await fixture.server.request('/api/config/llm');
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).not.toContain('sk-hosted-secret');
    expect(text).not.toContain('sk-env-secret');
    const { data } = JSON.parse(text);
    const breaker = { state: 'closed', last_error: null, open_until: null };
    expect(data.profiles).toEqual([
      {
        id: 'default',
        source: 'env',
        base_url: 'http://127.0.0.1:9/v1',
        model: 'env-model',
        api_key_env: 'LLM_API_KEY',
        api_key_set: true,
        headers: {},
        timeout_seconds: null,
        runnable: true,
        problem: null,
        ...breaker,
      },
      {
        id: 'hosted',
        source: 'config',
        base_url: 'https://api.example.com/v1',
        model: 'big-model',
        api_key_env: 'HOSTED_KEY',
        api_key_set: true,
        headers: {},
        timeout_seconds: null,
        runnable: true,
        problem: null,
        ...breaker,
      },
      {
        id: 'local',
        source: 'config',
        base_url: 'http://127.0.0.1:11434/v1',
        model: 'llama3.2',
        api_key_env: null,
        api_key_set: false,
        headers: {},
        timeout_seconds: null,
        runnable: true,
        problem: null,
        ...breaker,
      },
    ]);
    expect(data.config.llm_route.default).toBe('default');
    expect(data.status.runnable).toBe(true);
  });

  it('reports a route whose key variable is empty as not runnable, without refusing it', async () => {
    await using fixture = await serverWithProfiles();
    const { server } = fixture;
    const saved = await server.json('PUT', '/api/config/llm', { llm_route: { default: 'hosted' } });
    expect(saved.status).toBe(200);
    expect(saved.body.data.status).toEqual({
      runnable: false,
      route: { default: 'hosted', fallbacks: [] },
      profiles: [
        expect.objectContaining({ id: 'hosted', runnable: false, problem: 'HOSTED_KEY is empty', state: 'closed' }),
      ],
    });
    const chat = await server.json('POST', '/api/chat', { message: 'hi', session_id: 'x', stream: false });
    expect(chat.status).toBe(404);
    const session = await server.json('POST', '/api/sessions');
    const refused = await server.json('POST', '/api/chat', {
      message: 'hi',
      session_id: session.body.data.session_id,
      stream: false,
    });
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('llm_not_configured');
    expect(refused.body.error.message).toContain('hosted: HOSTED_KEY is empty');
  });
});

describe('PUT /api/config/llm', () => {
  it('replaces profiles and the route, and validates before writing', async () => {
    await using fixture = await serverWithProfiles({ OLLAMA_TOKEN: 't' });
    const { server } = fixture;
    const globalPath = join(server.dataDir, 'config.json');
    const saved = await server.json('PUT', '/api/config/llm', {
      llm_profiles: {
        ...PROFILES,
        proxy: {
          base_url: 'http://127.0.0.1:8080/v1',
          model: 'm',
          headers: { 'X-Token': '${ENV:OLLAMA_TOKEN}' },
          timeout_seconds: 30,
        },
      },
      llm_route: { default: 'proxy', fallbacks: ['local'] },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.data.profiles.find((profile: any) => profile.id === 'proxy').headers).toEqual({
      'X-Token': '${ENV:OLLAMA_TOKEN}',
    });
    expect(readJson(globalPath).llm_route).toEqual({ default: 'proxy', fallbacks: ['local'] });
    const before = readFileSync(globalPath, 'utf8');

    const bad = await server.json('PUT', '/api/config/llm', { llm_route: { default: 'proxy', fallbacks: ['gone'] } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toBe(
      'llm_route.fallbacks.0: unknown profile "gone"; known: default, hosted, local, proxy',
    );
    const unknownKey = await server.json('PUT', '/api/config/llm', { llm_profile: {} });
    expect(unknownKey.status).toBe(422);
    const withKey = await server.json('PUT', '/api/config/llm', {
      llm_profiles: { leaky: { base_url: 'https://a.example/v1', model: 'm', api_key: 'sk-1' } },
    });
    expect(withKey.status).toBe(422);
    expect(withKey.body.error.details.items.map((item: any) => item.field)).toContain('llm_profiles.leaky.api_key');
    expect(readFileSync(globalPath, 'utf8')).toBe(before);
  });

  it('refuses a route to a name every object answers to (toString, constructor, valueOf)', async () => {
    await using fixture = await serverWithProfiles();
    const { server } = fixture;
    const globalPath = join(server.dataDir, 'config.json');
    const agentPath = join(server.dataDir, 'workspaces', 'default', 'config.json');
    const before = [readFileSync(globalPath, 'utf8'), readFileSync(agentPath, 'utf8')];
    const attempts: [string, string, unknown, string][] = [
      ['/api/config/llm', 'PUT', { llm_route: { default: 'toString' } }, 'llm_route.default'],
      [
        '/api/config/llm',
        'PUT',
        { llm_route: { default: 'hosted', fallbacks: ['constructor'] } },
        'llm_route.fallbacks.0',
      ],
      ['/api/config/runtime', 'PUT', { config: { llm_route: { default: 'valueOf' } } }, 'config.llm_route.default'],
    ];
    for (const [path, method, body, field] of attempts) {
      const response = await server.json(method, path, body);
      expect({
        status: response.status,
        fields: response.body.error?.details.items.map((item: any) => item.field),
      }).toEqual({
        status: 422,
        fields: [field],
      });
    }
    expect([readFileSync(globalPath, 'utf8'), readFileSync(agentPath, 'utf8')]).toEqual(before);
    expect((await server.json('GET', '/api/agents')).body.data[0].llm_status.route.default).toBe('default');
  });

  it("refuses a key or header that would send one of the server's own APP_* variables to an endpoint", async () => {
    await using fixture = await serverWithProfiles({ APP_API_TOKEN: 'server-token' });
    const { server } = fixture;
    const globalPath = join(server.dataDir, 'config.json');
    const before = readFileSync(globalPath, 'utf8');
    const attempts: [Record<string, unknown>, string][] = [
      [
        { llm_profiles: { evil: { base_url: 'https://evil.example/v1', model: 'm', api_key_env: 'APP_API_TOKEN' } } },
        'llm_profiles.evil.api_key_env',
      ],
      [
        {
          llm_profiles: {
            evil: {
              base_url: 'https://evil.example/v1',
              model: 'm',
              headers: { 'X-Leak': 'db=${ENV:app_database_url}' },
            },
          },
        },
        'llm_profiles.evil.headers.X-Leak',
      ],
    ];
    for (const [body, field] of attempts) {
      const response = await server.json('PUT', '/api/config/llm', body, { authorization: 'Bearer server-token' });
      expect(response.status).toBe(422);
      expect(response.body.error.details.items.map((item: any) => item.field)).toEqual([field]);
      expect(response.body.error.message).toContain("must not name one of the server's own APP_* variables");
    }
    const search = await server.json(
      'PUT',
      '/api/config/runtime',
      { config: { tool_web_search: { provider: 'brave', api_key_env: 'APP_API_TOKEN' } } },
      { authorization: 'Bearer server-token' },
    );
    expect(search.status).toBe(422);
    expect(readFileSync(globalPath, 'utf8')).toBe(before);
  });

  it('refuses to remove a profile an agent route still uses', async () => {
    await using fixture = await serverWithProfiles();
    const { server } = fixture;
    await server.json('POST', '/api/agents', { agent_id: 'writer' });
    await server.json('PUT', '/api/config/runtime?agent_id=writer', {
      config: { llm_route: { default: 'local' } },
    });
    const response = await server.json('PUT', '/api/config/llm', { llm_profiles: { hosted: PROFILES.hosted } });
    expect(response.status).toBe(422);
    expect(response.body.error.details.items).toEqual([
      {
        field: 'workspaces/writer/config.json.llm_route.default',
        message: 'Unknown profile "local"; known: default, hosted',
        code: 'value_error',
      },
    ]);
    expect(readJson(join(server.dataDir, 'config.json')).llm_profiles).toEqual(PROFILES);
  });
});

describe('OpenAPI document', () => {
  it('documents GET and PUT /api/config/llm and llm_status on GET /api/agents', async () => {
    await using server = await startTestServer();
    const document = (await server.json('GET', '/openapi.json')).body;
    expect(Object.keys(document.paths['/api/config/llm']).sort()).toEqual(['get', 'put']);
    const agents = JSON.stringify(document.paths['/api/agents'].get);
    expect(agents).toContain('llm_status');
    expect(agents).toContain('open_until');
  });
});
