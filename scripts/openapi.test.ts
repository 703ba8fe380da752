// The OpenAPI document the server serves is a file generated ahead: it must be what the plugin generates now.
import { describe, expect, it } from 'bun:test';
import { readFileSync } from 'node:fs';
import { generateOpenApiDocument, OPENAPI_FILE } from './openapi';

describe('src/http/routes/openapi.json', () => {
  it('is what @elysiajs/swagger generates from the routes (npm run openapi rewrites it)', async () => {
    const generated = await generateOpenApiDocument();
    const document = JSON.parse(generated);
    expect(Object.keys(document.paths)).toContain('/api/chat');
    // Compared whole, the two 250 KB strings would fill the log; say what to do instead.
    if (readFileSync(OPENAPI_FILE, 'utf8') !== generated)
      throw new Error(`${OPENAPI_FILE} differs from what the routes generate now: run npm run openapi`);
  });
});
