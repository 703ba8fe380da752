// PUT /api/config/tracing rewrites the working folder's .env: its mode, owner and link survive, and a failure names .env.
import { describe, expect, it } from 'bun:test';
import {
  chownSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../../support/start-test-server';
import { makeTempDir } from '../../support/temp-dir';

const KEYS = 'LLM_API_KEY=sk-secret\nOBS_TRACING_ENABLED=false\n';

/** Runs a command; the reason it failed, or null. */
function run(...command: string[]): string | null {
  const result = Bun.spawnSync(command, { stdout: 'ignore', stderr: 'pipe' });
  return result.exitCode === 0
    ? null
    : `${command.join(' ')}: ${result.stderr.toString().trim() || `exit ${result.exitCode}`}`;
}

/** A server whose .env lives in a working folder of its own, outside the data folder. */
async function serverWithEnvIn(folder: string) {
  return startTestServer({ overrides: { envFilePath: join(folder, '.env') } });
}

describe('PUT /api/config/tracing and the .env file', () => {
  it('keeps the mode of a .env holding keys (0600 stays 0600) and, as root, its owner', async () => {
    using work = makeTempDir('moc-env-mode-');
    const envPath = join(work.path, '.env');
    writeFileSync(envPath, KEYS, { mode: 0o600 });
    const isRoot = process.geteuid?.() === 0;
    if (isRoot) chownSync(envPath, 65534, 65534);
    await using server = await serverWithEnvIn(work.path);
    expect((await server.json('PUT', '/api/config/tracing', { enabled: true })).status).toBe(200);
    expect(readFileSync(envPath, 'utf8')).toBe('LLM_API_KEY=sk-secret\nOBS_TRACING_ENABLED=true\n');
    const stat = statSync(envPath);
    expect(stat.mode & 0o777).toBe(0o600);
    if (isRoot) expect({ uid: stat.uid, gid: stat.gid }).toEqual({ uid: 65534, gid: 65534 });
  });

  it('writes through a .env that is a link: the link stays, its target takes the switch', async () => {
    using work = makeTempDir('moc-env-link-');
    const secrets = join(work.path, 'secrets');
    mkdirSync(secrets);
    const target = join(secrets, 'app.env');
    writeFileSync(target, KEYS, { mode: 0o600 });
    const envPath = join(work.path, 'app', '.env');
    mkdirSync(join(work.path, 'app'));
    symlinkSync('../secrets/app.env', envPath);
    await using server = await serverWithEnvIn(join(work.path, 'app'));
    expect((await server.json('PUT', '/api/config/tracing', { enabled: true })).status).toBe(200);
    expect(lstatSync(envPath).isSymbolicLink()).toBe(true);
    expect(readlinkSync(envPath)).toBe('../secrets/app.env');
    expect(readFileSync(target, 'utf8')).toBe('LLM_API_KEY=sk-secret\nOBS_TRACING_ENABLED=true\n');
    expect(statSync(target).mode & 0o777).toBe(0o600);
  });

  it('a .env linked into a folder that is not there: 503 naming .env, the link kept', async () => {
    using work = makeTempDir('moc-env-dangling-');
    const envPath = join(work.path, '.env');
    symlinkSync(join(work.path, 'not-mounted', 'app.env'), envPath);
    await using server = await serverWithEnvIn(work.path);
    const refused = await server.json('PUT', '/api/config/tracing', { enabled: true });
    expect([refused.status, refused.body.error.code, refused.body.error.details]).toEqual([
      503,
      'storage_unavailable',
      { reason: 'link_target_missing', file: '.env' },
    ]);
    expect(lstatSync(envPath).isSymbolicLink()).toBe(true);
  });

  it('a read-only working folder: 503 storage_unavailable naming .env, the file and the switch unchanged', async () => {
    using work = makeTempDir('moc-env-ro-');
    const envPath = join(work.path, '.env');
    writeFileSync(envPath, KEYS);
    await using server = await serverWithEnvIn(work.path);
    // Root ignores modes: only a read-only mount refuses it (needs root, as CI runs).
    const refused = run('mount', '--bind', work.path, work.path) ?? run('mount', '-o', 'remount,ro,bind', work.path);
    if (refused) {
      run('umount', work.path);
      console.warn(`skipped: a read-only bind mount is needed (${refused})`);
      return;
    }
    try {
      const response = await server.json('PUT', '/api/config/tracing', { enabled: true });
      expect(response.status).toBe(503);
      expect(response.body.error).toEqual({
        code: 'storage_unavailable',
        message: 'Cannot write .env: its folder is read-only',
        details: { reason: 'read_only', file: '.env' },
        request_id: expect.any(String),
      });
    } finally {
      if (run('umount', work.path)) run('umount', '-l', work.path);
    }
    expect(readFileSync(envPath, 'utf8')).toBe(KEYS);
    expect((await server.json('GET', '/api/config/tracing')).body.data.enabled).toBe(false);
  });
});
