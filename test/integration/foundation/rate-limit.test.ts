import { describe, expect, it } from 'bun:test';
import { startTestServer } from '../../support/start-test-server';

const LIMITED = { APP_RATE_LIMIT_ENABLED: 'true', APP_RATE_LIMIT_FILES: '3' };

describe('rate limit on /api/files', () => {
  it('refuses the 4th request in a window with 429 rate_limit_exceeded and Retry-After', async () => {
    await using server = await startTestServer({ env: LIMITED });
    const statuses: number[] = [];
    for (let index = 0; index < 3; index += 1) statuses.push((await server.json('GET', '/api/files/index')).status);
    expect(statuses).toEqual([200, 200, 200]);

    const refused = await server.json('GET', '/api/files/index', undefined, { 'x-request-id': 'r-429' });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.body).toEqual({
      error: {
        code: 'rate_limit_exceeded',
        message: 'Rate limit exceeded. Try again later.',
        details: { limit: 3, window_seconds: 60, retry_after_seconds: retryAfter },
        request_id: 'r-429',
      },
    });
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('counts reads and writes of the files family in one bucket, and a refused request writes nothing', async () => {
    await using server = await startTestServer({ env: LIMITED });
    expect((await server.json('POST', '/api/files', { path: 'memory/a.md', content: 'a' })).status).toBe(200);
    expect((await server.json('GET', '/api/files?path=memory/a.md')).status).toBe(200);
    expect((await server.json('GET', '/api/files/index')).status).toBe(200);
    const refused = await server.json('POST', '/api/files', { path: 'memory/b.md', content: 'b' });
    expect(refused.status).toBe(429);
    expect(await Bun.file(`${server.dataDir}/workspaces/default/memory/b.md`).exists()).toBe(false);
  });

  it('does not limit /api/skills, /api/sessions or preflights', async () => {
    await using server = await startTestServer({ env: LIMITED });
    const statuses: number[] = [];
    for (let index = 0; index < 6; index += 1) {
      statuses.push((await server.json('GET', '/api/skills')).status);
      statuses.push((await server.json('GET', '/api/sessions')).status);
      statuses.push((await server.json('POST', '/api/sessions')).status);
      const preflight = await server.request('/api/files/index', {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'GET' },
      });
      statuses.push(preflight.status === 204 ? 200 : preflight.status);
    }
    expect(statuses).toEqual(Array(24).fill(200));
    expect((await server.json('GET', '/api/files/index')).status).toBe(200);
  });

  it('does not limit anything when disabled', async () => {
    await using server = await startTestServer({ env: { APP_RATE_LIMIT_ENABLED: 'false', APP_RATE_LIMIT_FILES: '1' } });
    const statuses: number[] = [];
    for (let index = 0; index < 4; index += 1) statuses.push((await server.json('GET', '/api/files/index')).status);
    expect(statuses).toEqual([200, 200, 200, 200]);
  });
});
