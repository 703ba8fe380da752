// The documentation pages: /swagger, and /docs and /redoc where the original served its own.
import { describe, expect, it } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../../support/start-test-server';

describe('documentation routes', () => {
  it('serves the local Swagger UI page at /swagger, /docs and /redoc, and its assets from the binary', async () => {
    await using server = await startTestServer();
    for (const path of ['/swagger', '/docs', '/redoc']) {
      const response = await server.request(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const page = await response.text();
      expect(page).toContain("url: '/openapi.json'");
      expect(page).not.toContain('cdn');
    }
    const script = await server.request('/swagger/assets/swagger-ui-bundle.js');
    expect(script.status).toBe(200);
    expect((await script.text()).length).toBeGreaterThan(100_000);
    const document = await server.request('/openapi.json');
    expect(document.status).toBe(200);
    expect(document.headers.get('content-type')).toBe('application/json');
    // The file generated ahead (scripts/openapi.ts), as written.
    const text = await document.text();
    expect(text).toBe(
      readFileSync(join(import.meta.dir, '..', '..', '..', 'src', 'http', 'routes', 'openapi.json'), 'utf8'),
    );
    expect(JSON.parse(text).info.title).toBe('Mini-OpenClaw API');
  });
});
