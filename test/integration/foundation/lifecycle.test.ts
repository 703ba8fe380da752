// Build, then start, then stop: buildDeps touches nothing, start() does the side effects, close() stops everything once.
import { describe, expect, it } from 'bun:test';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEnvSettings } from '../../../src/config';
import { buildDeps } from '../../../src/deps';
import { ListenError, startServer } from '../../../src/server';
import { isAppError } from '../../../src/shared/app-error';
import { silentLogger } from '../../../src/shared/logger';
import { makeTempDir } from '../../support/temp-dir';

const settingsFor = (dataDir: string) => ({
  ...readEnvSettings({ APP_DATA_DIR: dataDir, APP_LOG_LEVEL: 'silent' }),
  host: '127.0.0.1',
  port: 0,
});
const overridesFor = (dataDir: string) => ({ logger: silentLogger, env: {}, envFilePath: join(dataDir, '.env') });

describe('buildDeps, start, close', () => {
  it('constructs without touching the disk; start() creates the data folder, config and agents; the server is ready only then', async () => {
    using temp = makeTempDir('moc-life-');
    const dataDir = join(temp.path, 'data');
    await using deps = buildDeps(settingsFor(dataDir), overridesFor(dataDir));
    expect(existsSync(dataDir)).toBe(false);
    expect(deps.readiness.isReady()).toBe(false);
    await deps.start();
    expect(readdirSync(dataDir).sort()).toEqual(['config.json', 'server.lock', 'skills', 'workspaces']);
    expect(deps.agents.ids()).toEqual(['default']);
    expect(deps.readiness.isReady()).toBe(true);
  });

  it('closes once, in reverse: not ready, the scheduler refuses, agent storage is shut', async () => {
    using temp = makeTempDir('moc-life-');
    const deps = buildDeps(settingsFor(temp.path), overridesFor(temp.path));
    await deps.start();
    const agent = deps.agents.get('default');
    await agent.storage.sessions.list('active');
    expect(deps.agents.openCount()).toBe(1);
    const first = deps.close();
    expect(deps.close()).toBe(first);
    await first;
    await deps[Symbol.asyncDispose]();
    expect(deps.readiness.isReady()).toBe(false);
    expect(deps.agents.openCount()).toBe(0);
    const codeOf = (work: () => unknown) => {
      try {
        work();
      } catch (error) {
        return isAppError(error) ? error.code : String(error);
      }
      return 'no error';
    };
    expect(codeOf(() => deps.scheduler.cron('default'))).toBe('not_ready');
    expect(codeOf(() => agent.storage)).toBe('not_ready');
  });

  it('refuses to start over an invalid global config.json, naming the key', async () => {
    using temp = makeTempDir('moc-life-');
    await Bun.write(join(temp.path, 'config.json'), JSON.stringify({ rag_mode: 'sometimes' }));
    const error = await startServer({ settings: settingsFor(temp.path), overrides: overridesFor(temp.path) }).catch(
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toContain('rag_mode');
  });

  it('refuses a port another server holds with ListenError, after closing what it started', async () => {
    using first = makeTempDir('moc-life-');
    using second = makeTempDir('moc-life-');
    await using running = await startServer({ settings: settingsFor(first.path), overrides: overridesFor(first.path) });
    const error = await startServer({
      settings: { ...settingsFor(second.path), port: running.port },
      overrides: overridesFor(second.path),
    }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ListenError);
    expect((await fetch(`${running.url}/api/ready`)).status).toBe(200);
  });

  it('lets go of the data folder when a part fails to close, so a next server can take the folder', async () => {
    using temp = makeTempDir('moc-life-');
    const deps = buildDeps(settingsFor(temp.path), overridesFor(temp.path));
    await deps.start();
    deps.sandbox.stopProbe = () => Promise.reject(new Error('the probe would not stop'));
    expect(await deps.close().catch((error: unknown) => String(error))).toContain('the probe would not stop');
    await using next = buildDeps(settingsFor(temp.path), overridesFor(temp.path));
    await next.start();
    expect(next.readiness.isReady()).toBe(true);
  });

  it('refuses to start when APP_INDEX_DIR names a file, saying so (searches answered 500 before)', async () => {
    using temp = makeTempDir('moc-life-');
    const file = join(temp.path, 'not-a-folder');
    writeFileSync(file, 'a file\n');
    const error = await startServer({
      settings: { ...settingsFor(temp.path), indexDir: file },
      overrides: overridesFor(temp.path),
    }).catch((failure: unknown) => failure);
    expect(String(error)).toContain(`APP_INDEX_DIR ${file} cannot be the retrieval index's folder (EEXIST)`);
    const folder = join(temp.path, 'index', 'nested');
    await using _running = await startServer({
      settings: { ...settingsFor(temp.path), indexDir: folder },
      overrides: overridesFor(temp.path),
    });
    expect(existsSync(folder)).toBe(true);
  });

  it('stops the listener and then the deps on close', async () => {
    using temp = makeTempDir('moc-life-');
    const running = await startServer({ settings: settingsFor(temp.path), overrides: overridesFor(temp.path) });
    expect((await fetch(`${running.url}/api/ready`)).status).toBe(200);
    await running.close();
    expect(running.deps.readiness.isReady()).toBe(false);
    expect(
      await fetch(`${running.url}/api/health`).then(
        () => 'answered',
        () => 'refused',
      ),
    ).toBe('refused');
  });
});
