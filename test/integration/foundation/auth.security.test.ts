import { describe, expect, it } from 'bun:test';
import { rawExchange } from '../../support/raw-request';
import { startTestServer, type TestServer } from '../../support/start-test-server';

const TOKEN = 'test-token-0123456789abcdef';

/** Every /api route a client can reach, with a body where it needs one. */
const PROTECTED: [string, string, unknown?][] = [
  ['GET', '/api/agents'],
  ['POST', '/api/agents', { agent_id: 'intruder' }],
  ['DELETE', '/api/agents/intruder'],
  ['GET', '/api/sessions'],
  ['POST', '/api/sessions', { title: 'x' }],
  ['PUT', '/api/sessions/s1', { title: 'x' }],
  ['DELETE', '/api/sessions/s1'],
  ['POST', '/api/sessions/s1/archive'],
  ['POST', '/api/sessions/s1/restore'],
  ['GET', '/api/sessions/s1/history'],
  ['GET', '/api/files?path=memory/MEMORY.md'],
  ['POST', '/api/files', { path: 'memory/pwned.md', content: 'x' }],
  ['GET', '/api/files/index'],
  ['GET', '/api/skills'],
  ['GET', '/api/config/runtime'],
  ['PUT', '/api/config/runtime', { config: { rag_mode: true } }],
  ['GET', '/api/config/rag-mode'],
  ['PUT', '/api/config/rag-mode', { enabled: true }],
  ['GET', '/api/config/tracing'],
  ['PUT', '/api/config/tracing', { enabled: true }],
  ['GET', '/api/no-such-route'],
];

async function statusesWith(server: TestServer, headers: Record<string, string>) {
  const answers: { route: string; status: number; code?: string }[] = [];
  for (const [method, path, body] of PROTECTED) {
    const response = await server.json(method, path, body, headers);
    answers.push({ route: `${method} ${path}`, status: response.status, code: response.body?.error?.code });
  }
  return answers;
}

describe('bearer token on /api', () => {
  it('answers 401 unauthorized on every route without a token or with a wrong one', async () => {
    // Lockout is tested on its own (test/reliability); here every failure must stay a plain 401.
    const authLockout = { maxFailures: 1_000_000, windowMs: 60_000, lockMs: 1 };
    await using server = await startTestServer({ env: { APP_API_TOKEN: TOKEN }, overrides: { authLockout } });
    const unauthorized = PROTECTED.map(([method, path]) => ({
      route: `${method} ${path}`,
      status: 401,
      code: 'unauthorized',
    }));
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token' },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: TOKEN },
      { authorization: `Basic ${TOKEN}` },
      { authorization: 'Bearer ' },
    ];
    for (const headers of attempts) {
      expect(await statusesWith(server, headers)).toEqual(unauthorized);
    }
    const refused = await server.json('GET', '/api/agents', undefined, { 'x-request-id': 'r-401' });
    expect(refused.body).toEqual({
      error: { code: 'unauthorized', message: 'Missing or invalid bearer token', request_id: 'r-401' },
    });
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
    // Nothing the refused requests asked for happened.
    expect(await Bun.file(`${server.dataDir}/workspaces/default/memory/pwned.md`).exists()).toBe(false);
    expect(server.deps.agents.ids()).toEqual(['default']);
  });

  it('leaves /api/health and /api/ready open', async () => {
    await using server = await startTestServer({ env: { APP_API_TOKEN: TOKEN } });
    expect((await server.json('GET', '/api/health')).body).toEqual({ status: 'ok' });
    // Open, but only the status without the token (test/integration/foundation/ready-details.security.test.ts).
    expect((await server.json('GET', '/api/ready')).body).toEqual({ status: 'ready' });
  });

  it('serves every route with the right token', async () => {
    await using server = await startTestServer({ env: { APP_API_TOKEN: TOKEN } });
    for (const authorization of [`Bearer ${TOKEN}`, `bearer ${TOKEN}`]) {
      const answers = await statusesWith(server, { authorization });
      expect(answers.filter((answer) => answer.status === 401)).toEqual([]);
    }
    const agents = await server.json('GET', '/api/agents', undefined, { authorization: `Bearer ${TOKEN}` });
    expect(agents.status).toBe(200);
  });

  it('answers CORS preflights without a token', async () => {
    await using server = await startTestServer({ env: { APP_API_TOKEN: TOKEN } });
    const preflight = await server.request('/api/agents', {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
  });

  it('serves nothing to path spellings that dodge the /api prefix', async () => {
    await using server = await startTestServer({ env: { APP_API_TOKEN: TOKEN } });
    for (const path of [
      '//api/agents',
      '///api/agents',
      '/%61pi/agents',
      '/api/%61gents',
      '/./api/agents',
      '/api/health/../agents',
      '/API/agents',
      '/api/health/',
      '/api/agents%2F',
    ]) {
      const answer = await rawExchange(server.url, `GET ${path} HTTP/1.1\r\nHost: localhost`);
      expect({ path, refused: answer.status === 401 || answer.status === 404 }).toEqual({ path, refused: true });
      expect(answer.body).not.toContain('"data"');
    }
  });

  it('needs no token when APP_API_TOKEN is not set', async () => {
    await using server = await startTestServer();
    const answers = await statusesWith(server, {});
    expect(answers.filter((answer) => answer.status === 401)).toEqual([]);
    expect(answers.find((answer) => answer.route === 'GET /api/agents')!.status).toBe(200);
  });
});
