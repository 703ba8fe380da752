// The OpenAPI document the server serves is a file generated ahead: it must be what the plugin generates now.
import { describe, expect, it } from 'bun:test';
import { readFileSync } from 'node:fs';
import { generateOpenApiDocument, OPENAPI_FILE } from './openapi';

describe('src/http/routes/openapi.json', () => {
  it('is what @elysiajs/swagger generates from the routes (npm run openapi rewrites it)', async () => {
    const generated = await generateOpenApiDocument();
    const document = JSON.parse(generated);
    expect(Object.keys(document.paths)).toContain('/api/chat');
    expect(readFileSync(OPENAPI_FILE, 'utf8') === generated).toBe(true);
  });
});
