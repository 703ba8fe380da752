// Generates the OpenAPI document the server serves at /openapi.json (src/http/routes/openapi.json) with
// @elysiajs/swagger, from the routes of an app built as the server builds it over a temporary data folder. The server
// serves the file instead of generating the document on the first request (README "Turn cost: eleventh round");
// a test fails when the file differs from what this generates.
// Run: npm run openapi   (after changing a route, its schema or the version), or `bun scripts/openapi.ts --check`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../src/app';
import { readEnvSettings } from '../src/config';
import { buildDeps } from '../src/deps';
import { liveOpenApi } from '../src/http/routes/live-openapi';
import { silentLogger } from '../src/shared/logger';
import { VERSION } from '../src/version';

export const OPENAPI_FILE = join(import.meta.dir, '..', 'src', 'http', 'routes', 'openapi.json');

/** The document as the plugin generates it for the app's routes, as the file holds it: the JSON the plugin answered. */
export async function generateOpenApiDocument(): Promise<string> {
  const folder = mkdtempSync(join(tmpdir(), 'moc-openapi-'));
  try {
    const settings = readEnvSettings({ APP_DATA_DIR: folder, APP_LOG_LEVEL: 'silent' });
    await using deps = buildDeps(settings, { logger: silentLogger, env: {}, envFilePath: join(folder, '.env') });
    const app = createApp(deps, { openApi: liveOpenApi(VERSION) });
    const request = new Request('http://127.0.0.1/openapi.json', { headers: { host: '127.0.0.1' } });
    const response = await app.handle(request);
    if (response.status !== 200) throw new Error(`/openapi.json answered ${response.status}: ${await response.text()}`);
    return await response.text();
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { check: { type: 'boolean' } }, strict: true });
  const generated = await generateOpenApiDocument();
  if (values.check) {
    const same = readFileSync(OPENAPI_FILE, 'utf8') === generated;
    console.error(same ? `${OPENAPI_FILE} is up to date` : `${OPENAPI_FILE} is out of date: run npm run openapi`);
    process.exit(same ? 0 : 1);
  }
  writeFileSync(OPENAPI_FILE, generated);
  console.error(`wrote ${OPENAPI_FILE} (${generated.length} bytes)`);
}
