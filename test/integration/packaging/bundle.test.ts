// `npm start` as package.json has it: the bundle step leaves a built bundle alone, and the server runs from the bundle
// in any folder: ./storage seeded, .env read, Swagger UI's assets found beside the bundle, a streamed turn, SIGTERM.
import { beforeAll, describe, expect, it } from 'bun:test';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, waitForStatus } from '../../support/compiled-binary';
import { startFakeOpenAiServer } from '../../support/fake-openai-server';
import { chatInNewSession } from '../../support/sse-client';
import { runBundleStep, sharedBundle, startBundle, startScript } from '../../support/start-bundle';
import { makeTempDir } from '../../support/temp-dir';

const SWAGGER_BUNDLE = join(
  import.meta.dir,
  '..',
  '..',
  '..',
  'node_modules',
  'swagger-ui-dist',
  'swagger-ui-bundle.js',
);

let main: string;

beforeAll(async () => {
  main = await sharedBundle();
}, 60_000);

describe('npm start', () => {
  it('runs the bundle step, then the bundle with --smol', () => {
    const { bundle, serve } = startScript();
    expect(bundle).toEqual(['scripts/bundle.ts']);
    expect(serve).toEqual(['--smol', 'dist/bundle/main.js', 'serve']);
  });

  it('leaves a bundle built from the same inputs alone', async () => {
    const built = statSync(main).mtimeMs;
    const again = await runBundleStep();
    expect(again).toEqual({ code: 0, output: '' });
    expect(statSync(main).mtimeMs).toBe(built);
  });

  it('serves from an empty folder: seeds ./storage, Swagger UI, a streamed turn, exits 0 on SIGTERM', async () => {
    await using model = await startFakeOpenAiServer();
    using folder = makeTempDir('moc-bundle-run-');
    // .env in the working folder is read, as the binary reads it.
    writeFileSync(join(folder.path, '.env'), `LLM_BASE_URL=${model.baseUrl}\nLLM_MODEL=gpt-4o-mini\nLLM_API_KEY=k\n`);
    const server = await startBundle({ cwd: folder.path, args: ['--port', '0'], env: cleanEnv() });
    let stopped: number | null = null;
    try {
      expect(server.stdout).toContain(`(data: ${join(folder.path, 'storage')})`);
      await waitForStatus(`${server.url}/api/health`);
      expect(existsSync(join(folder.path, 'storage', 'workspaces', 'default', 'workspace', 'AGENTS.md'))).toBe(true);
      expect(readdirSync(folder.path).sort()).toEqual(['.env', 'storage']);

      // The asset sits beside the bundle under a hashed name, not in the working folder.
      const asset = await fetch(`${server.url}/swagger/assets/swagger-ui-bundle.js`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toContain('javascript');
      expect(await asset.text()).toBe(readFileSync(SWAGGER_BUNDLE, 'utf8'));
      const css = await fetch(`${server.url}/swagger/assets/swagger-ui.css`);
      expect(css.status).toBe(200);
      await css.arrayBuffer();

      model.enqueue({ kind: 'text', text: 'Hello from the bundle.', chunkSize: 4 }, { kind: 'text', text: 'Bundle' });
      const events = await chatInNewSession(server.url, 'hello');
      expect(events.filter((event) => event.event === 'error')).toEqual([]);
      const tokens = events.filter((event) => event.event === 'token');
      expect(tokens.map((event) => event.data.content).join('')).toBe('Hello from the bundle.');
      expect(events.some((event) => event.event === 'done')).toBe(true);
    } finally {
      stopped = await server.stop('SIGTERM', 5000);
    }
    expect(stopped).toBe(0);
  }, 30_000);
});
