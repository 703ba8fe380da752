// With APP_API_TOKEN set, /api/ready stays open for probes but shows its details (sandbox, model route,
// storage reason) only to a request carrying the token; a wrong token there counts towards the lockout.
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { waitFor } from '../../support/scheduler-fixture';
import { startTestServer, type TestServer } from '../../support/start-test-server';
import { makeTempDir } from '../../support/temp-dir';

const TOKEN = 'ready-token-0123456789abcdef';
const WITH_TOKEN = { authorization: `Bearer ${TOKEN}` };
const DETAILS = { sandbox: expect.any(Object), llm: expect.any(Object) };
/** Every way of not holding the token: none, wrong, a prefix, another scheme. */
const WITHOUT: Record<string, string>[] = [
  {},
  { authorization: 'Bearer wrong' },
  { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
  { authorization: `Basic ${TOKEN}` },
];

async function readyAnswers(server: TestServer) {
  const answers = [];
  for (const headers of WITHOUT) {
    const { status, body } = await server.json('GET', '/api/ready', undefined, headers);
    answers.push({ status, body });
  }
  return answers;
}

function run(...command: string[]): string | null {
  const result = Bun.spawnSync(command, { stdout: 'ignore', stderr: 'pipe' });
  return result.exitCode === 0 ? null : `${command.join(' ')}: ${result.stderr.toString().trim()}`;
}

describe('/api/ready details behind the token', () => {
  it('answers only the status without the token, everything with it, and health stays as it was', async () => {
    const authLockout = { maxFailures: 1_000_000, windowMs: 60_000, lockMs: 1 };
    await using server = await startTestServer({ env: { APP_API_TOKEN: TOKEN }, overrides: { authLockout } });
    expect(await readyAnswers(server)).toEqual(WITHOUT.map(() => ({ status: 200, body: { status: 'ready' } })));
    const full = await server.json('GET', '/api/ready', undefined, WITH_TOKEN);
    expect(full).toMatchObject({ status: 200, body: { status: 'ready', details: DETAILS } });
    expect(await server.json('GET', '/api/health')).toMatchObject({ status: 200, body: { status: 'ok' } });

    // Stopping: the same 503 for everyone, details only with the token.
    server.deps.state.ready = false;
    expect(await readyAnswers(server)).toEqual(WITHOUT.map(() => ({ status: 503, body: { status: 'starting' } })));
    expect(await server.json('GET', '/api/ready', undefined, WITH_TOKEN)).toMatchObject({
      status: 503,
      body: { status: 'starting', details: DETAILS },
    });
  });

  it('keeps the details without a token when no token is configured', async () => {
    await using server = await startTestServer();
    expect((await server.json('GET', '/api/ready')).body).toEqual({ status: 'ready', details: DETAILS });
  });

  it('is no guessing oracle: wrong tokens on /api/ready lock the client out like anywhere else', async () => {
    await using server = await startTestServer({ env: { APP_API_TOKEN: TOKEN } });
    for (let attempt = 0; attempt < 10; attempt++) {
      const guess = await server.json('GET', '/api/ready', undefined, { authorization: `Bearer guess-${attempt}` });
      expect(guess.body).toEqual({ status: 'ready' });
    }
    // Locked out: even the right token no longer shows details, and other routes answer 429.
    expect((await server.json('GET', '/api/ready', undefined, WITH_TOKEN)).body).toEqual({ status: 'ready' });
    expect((await server.json('GET', '/api/agents', undefined, WITH_TOKEN)).status).toBe(429);
    // Probes without a header never count.
    await using other = await startTestServer({ env: { APP_API_TOKEN: TOKEN } });
    for (let attempt = 0; attempt < 12; attempt++) await other.json('GET', '/api/ready');
    expect((await other.json('GET', '/api/ready', undefined, WITH_TOKEN)).body).toEqual({
      status: 'ready',
      details: DETAILS,
    });
  });

  it('hides why the data folder is not writable from a request without the token', async () => {
    using dir = makeTempDir('moc-ready-ro-');
    const dataDir = join(dir.path, 'data');
    await using server = await startTestServer({ dataDir, env: { APP_API_TOKEN: TOKEN } });
    // A read-only bind over the folder after start (root ignores chmod).
    const refused = run('mount', '--bind', dataDir, dataDir) ?? run('mount', '-o', 'remount,ro,bind', dataDir);
    if (refused) {
      if (run('umount', dataDir)) run('umount', '-l', dataDir);
      console.warn(`skipped: a read-only bind mount is needed (${refused})`);
      return;
    }
    try {
      const full = await waitFor(async () => {
        const answer = await server.json('GET', '/api/ready', undefined, WITH_TOKEN);
        return answer.status === 503 ? answer : undefined;
      });
      expect(full.body).toEqual({
        status: 'not_ready',
        code: 'storage_unavailable',
        reason: 'The data folder is read-only',
        details: DETAILS,
      });
      expect(await readyAnswers(server)).toEqual(WITHOUT.map(() => ({ status: 503, body: { status: 'not_ready' } })));
    } finally {
      if (run('umount', dataDir)) run('umount', '-l', dataDir);
    }
  });
});
