// With APP_API_TOKEN set: no route of the OpenAPI document answers without the token, and guessing is slowed.
import { describe, expect, it } from 'bun:test';
import { startTestServer } from '../support/start-test-server';

const TOKEN = 'reliability-token-0123456789';

/** Every operation of the served document, with its path parameters filled in. */
async function documentedOperations(url: string): Promise<{ method: string; path: string }[]> {
  const document = (await (await fetch(`${url}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const operations: { method: string; path: string }[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const method of Object.keys(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      operations.push({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, 'x1') });
    }
  }
  return operations;
}

describe('auth hardening', () => {
  it('refuses every documented /api operation without the right token, except health and ready', async () => {
    const authLockout = { maxFailures: 1_000_000, windowMs: 60_000, lockMs: 1 };
    await using server = await startTestServer({ env: { APP_API_TOKEN: TOKEN }, overrides: { authLockout } });
    const operations = await documentedOperations(server.url);
    expect(operations.length).toBeGreaterThan(20);
    const open = new Set(['GET /api/health', 'GET /api/ready']);
    const reachable: string[] = [];
    for (const { method, path } of operations) {
      for (const authorization of [undefined, 'Bearer wrong']) {
        const response = await server.request(path, {
          method,
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
        });
        await response.arrayBuffer();
        if (response.status !== 401 && !open.has(`${method} ${path}`))
          reachable.push(`${method} ${path} -> ${response.status}`);
      }
    }
    expect(reachable).toEqual([]);
  });

  it('locks a client out for 5 minutes after 10 failed tokens in a minute, even with the right token', async () => {
    let now = Date.UTC(2026, 10, 27, 12);
    const clock = { nowMs: () => now };
    await using server = await startTestServer({ env: { APP_API_TOKEN: TOKEN }, overrides: { clock } });
    const ok = { authorization: `Bearer ${TOKEN}` };
    for (let attempt = 0; attempt < 9; attempt++)
      expect((await server.json('GET', '/api/agents', undefined, { authorization: 'Bearer guess' })).status).toBe(401);
    // Failures older than the window do not count.
    now += 61_000;
    for (let attempt = 0; attempt < 9; attempt++)
      expect((await server.json('GET', '/api/agents', undefined, { authorization: 'Bearer guess' })).status).toBe(401);
    expect((await server.json('GET', '/api/agents', undefined, ok)).status).toBe(200);
    expect((await server.json('GET', '/api/agents', undefined, { authorization: 'Bearer guess' })).status).toBe(401);

    const locked = await server.json('GET', '/api/agents', undefined, ok);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('rate_limit_exceeded');
    expect(locked.body.error.details).toEqual({ retry_after_seconds: 300 });
    expect(locked.headers.get('retry-after')).toBe('300');
    // Health stays open for probes.
    expect((await server.json('GET', '/api/health')).status).toBe(200);

    now += 299_000;
    expect((await server.json('GET', '/api/agents', undefined, ok)).status).toBe(429);
    now += 1_000;
    expect((await server.json('GET', '/api/agents', undefined, ok)).status).toBe(200);
  });
});
