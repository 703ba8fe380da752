// `npm start` as package.json has it: the bundle step (built once, then left alone; the sources where it cannot
// write), and the server from the bundle in any folder: ./storage, .env, Swagger UI's assets and the OpenAPI document,
// a streamed turn, SIGTERM.
import { beforeAll, describe, expect, it } from 'bun:test';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import packageJson from '../../../package.json' with { type: 'json' };
import { cleanEnv, REPO_ROOT, startBinary, waitForStatus } from '../../support/compiled-binary';
import { startFakeOpenAiServer } from '../../support/fake-openai-server';
import { descendantsOf, killEach } from '../../support/process-probe';
import { chatInNewSession } from '../../support/sse-client';
import { runBundleStep, sharedBundle, startBundle } from '../../support/start-bundle';
import { makeTempDir } from '../../support/temp-dir';

const SWAGGER_BUNDLE = join(REPO_ROOT, 'node_modules', 'swagger-ui-dist', 'swagger-ui-bundle.js');

let main: string;

beforeAll(async () => {
  main = await sharedBundle();
}, 60_000);

describe.skipIf(process.platform !== 'linux')('npm start', () => {
  it("runs package.json's start script as npm does: the bundle step, then the bundle's server", async () => {
    using folder = makeTempDir('moc-npm-start-');
    // npm runs the script with sh in the package's folder, node_modules/.bin on PATH, its arguments appended.
    const shell = await startBinary('/bin/sh', {
      cwd: REPO_ROOT,
      args: ['-c', `${packageJson.scripts.start} --port 0 --data-dir '${join(folder.path, 'data')}'`],
      env: cleanEnv({ PATH: `${join(REPO_ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? '/usr/bin:/bin'}` }),
      timeoutMs: 30_000,
    });
    let code: number | null = null;
    // Without exec the server would be the shell's child, and outlive it: killed here whatever the test finds.
    const children = descendantsOf(shell.child.pid);
    try {
      await waitForStatus(`${shell.url}/api/health`);
      // The shell gave its process to the server (exec): a supervisor's or npm's signal to it reaches the server.
      expect(children).toEqual([]);
      const command = readFileSync(`/proc/${shell.child.pid}/cmdline`, 'utf8').split('\0');
      expect(command).toContain('--smol');
      expect(command.find((word) => word.endsWith('/main.js'))).toMatch(/\/dist\/bundles\/[0-9a-f]{16}\/main\.js$/);
    } finally {
      code = await shell.stop('SIGTERM', 10_000);
      killEach(children);
    }
    // SIGTERM to the process npm started: the server stops cleanly.
    expect(code).toBe(0);
  }, 60_000);

  it('prints the bundle of the same inputs without building it again', async () => {
    const built = statSync(main).mtimeMs;
    const again = await runBundleStep(['--out', dirname(dirname(main))]);
    expect(again).toEqual({ code: 0, stdout: `${main}\n`, stderr: '' });
    expect(statSync(main).mtimeMs).toBe(built);
  });

  it('runs the sources, with a warning, where the bundle cannot be written', async () => {
    using folder = makeTempDir('moc-bundle-unwritable-');
    writeFileSync(join(folder.path, 'a-file'), '');
    const result = await runBundleStep(['--out', join(folder.path, 'a-file', 'bundles')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${join(REPO_ROOT, 'src', 'main.ts')}\n`);
    expect(result.stderr).toContain('running the sources');
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
      // The OpenAPI document, a file generated ahead, sits beside the bundle too.
      const document = await fetch(`${server.url}/openapi.json`);
      expect(document.status).toBe(200);
      expect(await document.text()).toBe(
        readFileSync(join(REPO_ROOT, 'src', 'http', 'routes', 'openapi.json'), 'utf8'),
      );

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
