// APP_ALLOWED_ORIGINS as operators write it (a trailing slash, a default port, capitals) matches the Origin header.
import { describe, expect, it } from 'bun:test';
import { rawRequest } from '../../support/raw-request';
import { startTestServer } from '../../support/start-test-server';

describe('APP_ALLOWED_ORIGINS', () => {
  it('lets pages of an origin listed with a trailing slash or its default port write, and answers their preflight', async () => {
    await using server = await startTestServer({
      env: { APP_ALLOWED_ORIGINS: 'http://app.example.com/, HTTPS://Admin.example.com:443' },
    });
    for (const origin of ['http://app.example.com', 'https://admin.example.com']) {
      const write = await rawRequest(`${server.url}/api/files`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: JSON.stringify({ path: 'memory/origin.md', content: origin }),
      });
      expect({ origin, status: write.status }).toEqual({ origin, status: 200 });
      const preflight = await rawRequest(`${server.url}/api/files`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      expect(preflight.headers['access-control-allow-origin']).toBe(origin);
    }
  });
});
