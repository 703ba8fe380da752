import { describe, expect, it } from 'bun:test';
import { rawRequest } from '../../support/raw-request';
import { startTestServer } from '../../support/start-test-server';

const ALLOWED = 'http://localhost:3000';

describe('CORS', () => {
  it('answers a preflight from an allowed origin with echo, credentials and max-age 600', async () => {
    await using server = await startTestServer();
    const response = await server.request('/api/sessions', {
      method: 'OPTIONS',
      headers: {
        origin: ALLOWED,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-request-id',
      },
    });
    expect(response.status).toBeGreaterThanOrEqual(200);
    expect(response.status).toBeLessThan(300);
    expect({
      origin: response.headers.get('access-control-allow-origin'),
      credentials: response.headers.get('access-control-allow-credentials'),
      maxAge: response.headers.get('access-control-max-age'),
      methods: response.headers.get('access-control-allow-methods'),
      headers: response.headers.get('access-control-allow-headers'),
    }).toEqual({
      origin: ALLOWED,
      credentials: 'true',
      maxAge: '600',
      methods: 'GET, POST, PUT, DELETE, OPTIONS',
      headers: 'content-type, x-request-id',
    });
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it('echoes any requested header, and names a sensible set (never "undefined") when none is requested', async () => {
    await using server = await startTestServer();
    const preflight = (headers: Record<string, string>) =>
      server.request('/api/sessions', {
        method: 'OPTIONS',
        headers: { origin: ALLOWED, 'access-control-request-method': 'POST', ...headers },
      });
    expect(
      (await preflight({ 'access-control-request-headers': 'x-custom-thing' })).headers.get(
        'access-control-allow-headers',
      ),
    ).toBe('x-custom-thing');
    expect((await preflight({})).headers.get('access-control-allow-headers')).toBe(
      'content-type, authorization, x-request-id',
    );
  });

  it('sends the security headers on a preflight answer too', async () => {
    await using server = await startTestServer();
    const response = await server.request('/api/files', {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'POST' },
    });
    expect({
      'x-content-type-options': response.headers.get('x-content-type-options'),
      'x-frame-options': response.headers.get('x-frame-options'),
      'referrer-policy': response.headers.get('referrer-policy'),
      'permissions-policy': response.headers.get('permissions-policy'),
      'cross-origin-resource-policy': response.headers.get('cross-origin-resource-policy'),
    }).toEqual({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'permissions-policy': 'camera=(), microphone=(), geolocation=()',
      'cross-origin-resource-policy': 'same-site',
    });
  });

  it('gives a disallowed origin no allow-origin header', async () => {
    await using server = await startTestServer();
    const preflight = await server.request('/api/sessions', {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const simple = await server.request('/api/sessions', { headers: { origin: 'http://evil.example' } });
    expect(simple.status).toBe(200);
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    const lookalike = await server.request('/api/sessions', {
      headers: { origin: 'http://localhost:3000.evil.example' },
    });
    expect(lookalike.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('echoes an allowed origin on success, 404, 422, 429 and 500 answers', async () => {
    await using server = await startTestServer({ env: { APP_RATE_LIMIT_ENABLED: 'true', APP_RATE_LIMIT_FILES: '1' } });
    const headers = { origin: ALLOWED };
    const success = await server.json('GET', '/api/agents', undefined, headers);
    const notFound = await server.json('GET', '/api/nothing-here', undefined, headers);
    const invalid = await server.json('POST', '/api/agents', {}, headers);
    await server.json('GET', '/api/files/index', undefined, headers);
    const limited = await server.json('GET', '/api/files/index', undefined, headers);
    // A closed database makes the next session query fail inside the handler: a genuine 500.
    server.deps.agents.get('default').storage.close();
    const failed = await server.json('GET', '/api/sessions', undefined, headers);

    expect([success, notFound, invalid, limited, failed].map((answer) => answer.status)).toEqual([
      200, 404, 422, 429, 500,
    ]);
    expect(failed.body).toEqual({
      error: { code: 'internal_error', message: 'Internal server error', request_id: expect.any(String) },
    });
    for (const answer of [success, notFound, invalid, limited, failed]) {
      expect(answer.headers.get('access-control-allow-origin')).toBe(ALLOWED);
      expect(answer.headers.get('access-control-allow-credentials')).toBe('true');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });
});

describe('trusted hosts', () => {
  it('refuses an untrusted Host header with 400 invalid_host', async () => {
    await using server = await startTestServer();
    const response = await rawRequest(`${server.url}/api/agents`, {
      headers: { host: 'evil.example', 'x-request-id': 'r-host' },
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: { code: 'invalid_host', message: 'Invalid host header', request_id: 'r-host' },
    });
    expect(response.headers['x-content-type-options']).toBe('nosniff');

    for (const host of ['localhost.evil.example', 'evil-localhost', '127.0.0.1.nip.io:8080', 'xlocalhost']) {
      expect((await rawRequest(`${server.url}/api/health`, { headers: { host } })).status).toBe(400);
    }
  });

  it('refuses malformed Host headers that end in a trusted name with 400, not a 500', async () => {
    for (const trusted of [undefined, '*']) {
      await using server = await startTestServer({ env: trusted ? { APP_TRUSTED_HOSTS: trusted } : {} });
      for (const host of [
        'evil.com#.localhost',
        'x?.localhost',
        'evil.com/.localhost',
        '127.0.0.1:1@evil.localhost',
        'a\\.localhost',
        'localhost:65536',
        '127.0.0.1:99999',
        'xn--.localhost',
        'xn--a.localhost',
      ]) {
        const response = await rawRequest(`${server.url}/api/agents`, { headers: { host } });
        expect({ host, status: response.status, code: response.body?.error?.code }).toEqual({
          host,
          status: 400,
          code: 'invalid_host',
        });
      }
    }
  });

  it('accepts the default trusted hosts with any port, and subdomains of localhost', async () => {
    await using server = await startTestServer();
    for (const host of ['localhost', 'localhost:8002', '127.0.0.1:1', 'app.localhost', 'LOCALHOST:3000']) {
      const response = await rawRequest(`${server.url}/api/agents`, { headers: { host } });
      expect({ host, status: response.status }).toEqual({ host, status: 200 });
    }
  });

  it('uses APP_TRUSTED_HOSTS when set', async () => {
    await using server = await startTestServer({
      env: { APP_TRUSTED_HOSTS: ' 127.0.0.1 , API.example.com,*.corp.example,[::1]' },
    });
    expect((await rawRequest(`${server.url}/api/agents`, { headers: { host: 'api.example.com' } })).status).toBe(200);
    // An IPv6 entry may be written as the Host header writes it, in brackets.
    expect((await rawRequest(`${server.url}/api/agents`, { headers: { host: '[::1]:8002' } })).status).toBe(200);
    expect((await rawRequest(`${server.url}/api/agents`, { headers: { host: 'x.corp.example:443' } })).status).toBe(
      200,
    );
    expect((await rawRequest(`${server.url}/api/agents`, { headers: { host: 'corp.example' } })).status).toBe(400);
    expect((await rawRequest(`${server.url}/api/agents`, { headers: { host: 'localhost' } })).status).toBe(400);
  });
});
