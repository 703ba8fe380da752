// A config.json written through the API keeps its mode (0600 stays 0600), its owner as root, and a link stays a link.
import { describe, expect, it } from 'bun:test';
import {
  chownSync,
  chmodSync,
  lstatSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../../support/start-test-server';
import { makeTempDir } from '../../support/temp-dir';

const isRoot = process.geteuid?.() === 0;
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

/** Makes `path` private (0600) and, as root, owned by nobody: what a write must keep. */
function makePrivate(path: string): void {
  chmodSync(path, 0o600);
  if (isRoot) chownSync(path, 65534, 65534);
}

function expectPrivate(path: string): void {
  const stat = statSync(path);
  expect(stat.mode & 0o777).toBe(0o600);
  if (isRoot) expect({ uid: stat.uid, gid: stat.gid }).toEqual({ uid: 65534, gid: 65534 });
}

describe('config.json written through the API', () => {
  it("PUT /api/config/runtime keeps the mode (and, as root, the owner) of the agent's config.json", async () => {
    await using server = await startTestServer();
    const agentConfig = join(server.dataDir, 'workspaces', 'default', 'config.json');
    makePrivate(agentConfig);
    const saved = await server.json('PUT', '/api/config/runtime', {
      config: { scheduler: { runs_query_default_limit: 42 } },
    });
    expect(saved.status).toBe(200);
    expect(readJson(agentConfig)).toEqual({ scheduler: { runs_query_default_limit: 42 } });
    expectPrivate(agentConfig);
  });

  it('PUT /api/config/llm keeps the mode (and, as root, the owner) of the global config.json', async () => {
    await using server = await startTestServer();
    const globalConfig = join(server.dataDir, 'config.json');
    makePrivate(globalConfig);
    const saved = await server.json('PUT', '/api/config/llm', { llm_breaker: { failure_threshold: 5 } });
    expect(saved.status).toBe(200);
    expect(readJson(globalConfig).llm_breaker.failure_threshold).toBe(5);
    expectPrivate(globalConfig);
  });

  it('writes through a global config.json that is a link: the link stays, its target takes the change', async () => {
    using secrets = makeTempDir('moc-config-link-');
    await using server = await startTestServer();
    const globalConfig = join(server.dataDir, 'config.json');
    const target = join(secrets.path, 'config.json');
    renameSync(globalConfig, target);
    symlinkSync(target, globalConfig);
    makePrivate(target);
    const saved = await server.json('PUT', '/api/config/llm', { llm_breaker: { failure_threshold: 5 } });
    expect(saved.status).toBe(200);
    expect(lstatSync(globalConfig).isSymbolicLink()).toBe(true);
    expect(readlinkSync(globalConfig)).toBe(target);
    expect(readJson(target).llm_breaker.failure_threshold).toBe(5);
    expectPrivate(target);
  });

  it("writes through an agent's config.json linked to a file not made yet; a link to a missing folder is 503", async () => {
    using elsewhere = makeTempDir('moc-config-dangling-');
    await using server = await startTestServer();
    const agentConfig = join(server.dataDir, 'workspaces', 'default', 'config.json');
    rmSync(agentConfig);
    const target = join(elsewhere.path, 'config.json');
    symlinkSync(target, agentConfig);
    expect((await server.json('PUT', '/api/config/rag-mode', { enabled: true })).status).toBe(200);
    expect(lstatSync(agentConfig).isSymbolicLink()).toBe(true);
    expect(readJson(target)).toEqual({ rag_mode: true });

    // The volume the link leads to is not mounted: nothing is written, the link stays, the answer says why.
    rmSync(agentConfig);
    symlinkSync(join(elsewhere.path, 'not-mounted', 'config.json'), agentConfig);
    const refused = await server.json('PUT', '/api/config/rag-mode', { enabled: false });
    expect([refused.status, refused.body.error.code, refused.body.error.details]).toEqual([
      503,
      'storage_unavailable',
      { reason: 'link_target_missing', file: 'workspaces/default/config.json' },
    ]);
    expect(lstatSync(agentConfig).isSymbolicLink()).toBe(true);
  });
});
