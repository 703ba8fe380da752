// Bodies with `__proto__`, `constructor` or `prototype` keys (own keys after JSON.parse) are refused with a
// 422 naming the key: nothing reaches a prototype and nothing is stored. Also from a hand-edited config.json.
import { describe, expect, it } from 'bun:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deepMerge } from '../../../src/config';
import { startTestServer, type TestServer } from '../../support/start-test-server';

/** Raw JSON text, so `__proto__` arrives as an own key as a client can send it. */
async function sendRaw(server: TestServer, method: string, path: string, text: string) {
  const response = await server.request(path, { method, headers: { 'content-type': 'application/json' }, body: text });
  return { status: response.status, body: (await response.json()) as any };
}

const ATTEMPTS: [string, string, string, string][] = [
  ['PUT', '/api/config/runtime', '{"config": {"__proto__": {"rag_mode": true}}}', 'config.__proto__'],
  [
    'PUT',
    '/api/config/runtime',
    '{"config": {"retrieval": {"constructor": {"prototype": {"x": 1}}}}}',
    'config.retrieval.constructor',
  ],
  ['PUT', '/api/config/runtime', '{"config": {"prototype": {"polluted": "yes"}}}', 'config.prototype'],
  ['PUT', '/api/config/runtime?agent_id=other', '{"config": {"__proto__": {"polluted": "yes"}}}', 'config.__proto__'],
  [
    'PUT',
    '/api/config/llm',
    '{"llm_profiles": {"__proto__": {"base_url": "http://127.0.0.1:9/v1", "model": "m"}}}',
    'llm_profiles.__proto__',
  ],
  ['PUT', '/api/config/llm', '{"llm_route": {"constructor": {"polluted": "yes"}}}', 'llm_route.constructor'],
  ['PUT', '/api/config/rag-mode', '{"enabled": true, "__proto__": {"polluted": "yes"}}', '__proto__'],
  ['POST', '/api/scheduler/cron/jobs', '{"name": "j", "__proto__": {"polluted": "yes"}}', '__proto__'],
  ['POST', '/api/sessions', '{"title": "t", "items": [{"__proto__": {"polluted": "yes"}}]}', 'items.0.__proto__'],
];

describe('unsafe keys in JSON bodies', () => {
  it('answers 422 naming the key, stores nothing and pollutes no prototype', async () => {
    await using server = await startTestServer();
    expect((await server.json('POST', '/api/agents', { agent_id: 'other' })).status).toBe(200);
    const configFiles = ['config.json', 'workspaces/default/config.json', 'workspaces/other/config.json'];
    const read = (file: string) => {
      try {
        return readFileSync(join(server.dataDir, file), 'utf8');
      } catch {
        return null;
      }
    };
    const before = configFiles.map(read);
    const runtimeBefore = (await server.json('GET', '/api/config/runtime')).body;
    const answers = [];
    for (const [method, path, text] of ATTEMPTS) answers.push(await sendRaw(server, method, path, text));
    expect(answers).toEqual(
      ATTEMPTS.map(([, , , field]) => ({
        status: 422,
        body: {
          error: {
            code: 'validation_error',
            message: `${field}: key not allowed: ${field.split('.').at(-1)}`,
            details: { items: [{ field, message: `Key not allowed: ${field.split('.').at(-1)}`, code: 'unsafe_key' }] },
            request_id: expect.any(String),
          },
        },
      })),
    );
    expect(configFiles.map(read)).toEqual(before);
    expect((await server.json('GET', '/api/config/runtime')).body).toEqual(runtimeBefore);
    expect((await server.json('GET', '/api/sessions')).body.data).toEqual([]);
    const probe: Record<string, unknown> = {};
    expect([probe.polluted, probe.rag_mode, probe.x, Object.keys(Object.prototype)]).toEqual([
      undefined,
      undefined,
      undefined,
      [],
    ]);
    // The same body without the unsafe key still works.
    expect((await sendRaw(server, 'PUT', '/api/config/runtime', '{"config": {"rag_mode": true}}')).status).toBe(200);
  });

  it('ignores a config.json edited by hand to hold __proto__ and keeps the last good version', async () => {
    await using server = await startTestServer();
    const agentFile = join(server.dataDir, 'workspaces/default/config.json');
    expect((await server.json('PUT', '/api/config/runtime', { config: { rag_mode: true } })).status).toBe(200);
    writeFileSync(agentFile, '{"rag_mode": false, "__proto__": {"polluted": "yes"}}');
    const runtime = (await server.json('GET', '/api/config/runtime')).body.data.config;
    expect(runtime.rag_mode).toBe(true);
    expect(Object.hasOwn(runtime, 'polluted')).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('deepMerge never assigns an unsafe key, whatever a caller passes', () => {
    const override = JSON.parse('{"a": {"__proto__": {"polluted": "yes"}, "b": 1}, "constructor": {"x": 1}}');
    const merged = deepMerge({ a: { c: 2 } }, override);
    expect(merged).toEqual({ a: { c: 2, b: 1 } });
    expect(Object.getPrototypeOf(merged.a)).toBe(Object.prototype);
    expect((merged.a as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(merged, 'constructor')).toBe(false);
  });
});
