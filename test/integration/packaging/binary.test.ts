// The compiled single executable: runs from an empty folder, seeds its data, serves the docs, stops cleanly.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { copyFileSync, existsSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import packageJson from '../../../package.json' with { type: 'json' };
import { runCommand } from '../../../scripts/run-command';
import { cleanEnv, type RunningBinary, sharedBinary, startBinary, waitForStatus } from '../../support/compiled-binary';
import { makeTempDir, type TempDir } from '../../support/temp-dir';

let binary: string;
const running = new Set<RunningBinary>();

beforeAll(async () => {
  binary = await sharedBinary();
}, 120_000);

afterAll(async () => {
  for (const server of running) await server.stop('SIGKILL');
});

/** An empty folder (realpath, so it compares with what the binary prints) holding nothing but a copy of the binary. */
function emptyFolderWithBinary(): TempDir & { binary: string } {
  const dir = makeTempDir('moc-run-');
  const path = realpathSync(dir.path);
  const copy = join(path, 'mini-openclaw');
  copyFileSync(binary, copy);
  return { path, binary: copy, [Symbol.dispose]: () => dir[Symbol.dispose]() };
}

async function start(executable: string, cwd: string, args: string[], env: Record<string, string> = {}) {
  const server = await startBinary(executable, { cwd, args, env: cleanEnv({ APP_LOG_LEVEL: 'warn', ...env }) });
  running.add(server);
  return server;
}

async function stop(server: RunningBinary) {
  const code = await server.stop('SIGTERM', 5000);
  running.delete(server);
  return code;
}

function run(args: string[]) {
  return runCommand([binary, ...args], { env: cleanEnv() });
}

describe('compiled binary', () => {
  it('serves from an empty folder, seeds ./storage, serves Swagger UI and exits 0 on SIGTERM', async () => {
    using folder = emptyFolderWithBinary();
    expect(readdirSync(folder.path)).toEqual(['mini-openclaw']);

    const server = await start(folder.binary, folder.path, ['--port', '0']);
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.stdout).toContain(`(data: ${join(folder.path, 'storage')})`);
    await waitForStatus(`${server.url}/api/health`);
    expect(await (await fetch(`${server.url}/api/health`)).json()).toEqual({ status: 'ok' });

    expect(readdirSync(folder.path).sort()).toEqual(['mini-openclaw', 'storage']);
    const storage = join(folder.path, 'storage');
    for (const seeded of [
      'workspaces/default/workspace/AGENTS.md',
      'workspaces/default/memory/MEMORY.md',
      'skills/get_weather/SKILL.md',
    ]) {
      expect(existsSync(join(storage, seeded))).toBe(true);
    }

    const page = await fetch(`${server.url}/swagger`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('src="/swagger/assets/swagger-ui-bundle.js"');
    const bundle = await fetch(`${server.url}/swagger/assets/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toContain('javascript');
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    const spec = await fetch(`${server.url}/openapi.json`);
    expect(spec.status).toBe(200);
    expect(Object.keys(((await spec.json()) as { paths: Record<string, unknown> }).paths)).toContain('/api/sessions');

    expect(await stop(server)).toBe(0);
  }, 30_000);

  it('prints help with exit code 0', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--data-dir');
    expect(result.stdout).toContain('--port');
  });

  it('prints the package.json version', async () => {
    const result = await run(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`mini-openclaw ${packageJson.version}\n`);
  });

  it('refuses a port another server already holds, instead of sharing it', async () => {
    using first = emptyFolderWithBinary();
    using second = emptyFolderWithBinary();
    const server = await start(first.binary, first.path, ['--port', '0']);
    const child = Bun.spawn({
      cmd: [second.binary, '--port', String(server.port)],
      cwd: second.path,
      env: cleanEnv(),
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
    expect(code).toBe(1);
    expect(stderr).toContain(`cannot listen on 127.0.0.1:${server.port}`);
    // The first server still answers, alone: its data folder is the only one listed.
    const agents = await fetch(`${server.url}/api/files/index`).then((response) => response.json() as Promise<any>);
    expect(agents.data.workspace_root).toStartWith(first.path);
    expect(await stop(server)).toBe(0);
  });

  it('refuses unknown flags with exit code 2', async () => {
    const result = await run(['--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown argument: --bogus');
  });

  it('lets flags beat environment variables', async () => {
    using folder = emptyFolderWithBinary();
    // A port that is taken: if APP_PORT won over --port 0, the binary could not start on it.
    using taken = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('taken') });
    const server = await start(
      folder.binary,
      folder.path,
      ['serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', 'from-flag'],
      {
        APP_PORT: String(taken.port),
        APP_HOST: 'localhost',
        APP_DATA_DIR: 'from-env',
      },
    );
    expect(server.port).not.toBe(taken.port);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.stdout).toContain(`(data: ${join(folder.path, 'from-flag')})`);
    await waitForStatus(`${server.url}/api/health`);
    expect(existsSync(join(folder.path, 'from-flag', 'workspaces', 'default'))).toBe(true);
    expect(existsSync(join(folder.path, 'from-env'))).toBe(false);
    expect(await stop(server)).toBe(0);
  }, 30_000);

  it('reads .env from the working folder, and real environment variables beat it', async () => {
    using folder = emptyFolderWithBinary();
    writeFileSync(join(folder.path, '.env'), 'APP_DATA_DIR=from-dotenv\nAPP_LOG_LEVEL=warn\n');

    const fromFile = await start(folder.binary, folder.path, ['--port', '0']);
    expect(fromFile.stdout).toContain(`(data: ${join(folder.path, 'from-dotenv')})`);
    await waitForStatus(`${fromFile.url}/api/health`);
    expect(existsSync(join(folder.path, 'from-dotenv', 'workspaces', 'default'))).toBe(true);
    expect(await stop(fromFile)).toBe(0);

    const fromEnv = await start(folder.binary, folder.path, ['--port', '0'], { APP_DATA_DIR: 'from-env' });
    expect(fromEnv.stdout).toContain(`(data: ${join(folder.path, 'from-env')})`);
    await waitForStatus(`${fromEnv.url}/api/health`);
    expect(existsSync(join(folder.path, 'from-env', 'workspaces', 'default'))).toBe(true);
    expect(await stop(fromEnv)).toBe(0);
  }, 30_000);

  it('refuses a bad environment variable with exit code 2 and names it', async () => {
    using folder = emptyFolderWithBinary();
    const child = Bun.spawn({
      cmd: [folder.binary, '--port', '0'],
      cwd: folder.path,
      env: cleanEnv({ APP_LOG_LEVEL: 'loud', APP_RATE_LIMIT_CHAT: 'many' }),
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
    expect(code).toBe(2);
    expect(stderr).toContain('APP_LOG_LEVEL');
    expect(stderr).toContain('APP_RATE_LIMIT_CHAT');
    expect(readdirSync(folder.path)).toEqual(['mini-openclaw']);
  });
});
