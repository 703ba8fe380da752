import { describe, expect, it } from 'bun:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../../support/start-test-server';
import { makeTempDir } from '../../support/temp-dir';

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
