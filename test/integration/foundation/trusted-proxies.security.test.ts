// Behind a reverse proxy (issue 13): rate limits and the auth lockout key on the forwarded client only for trusted peers.
// Tests connect from 127.0.0.1, so "through a trusted proxy" is APP_TRUSTED_PROXIES covering 127.0.0.1, and
// "direct" or "through an untrusted proxy" is no APP_TRUSTED_PROXIES, or one that does not cover it.
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { cleanEnv } from '../../support/compiled-binary';
import { startTestServer, type TestServer } from '../../support/start-test-server';
import { makeTempDir } from '../../support/temp-dir';

const TOKEN = 'proxy-token-0123456789abcdef';
const GOOD = { authorization: `Bearer ${TOKEN}` };
const BAD = { authorization: 'Bearer guess' };
const TRUSTED = { APP_TRUSTED_PROXIES: '127.0.0.1/32' };
const UNTRUSTED_SETUPS: Record<string, string>[] = [{}, { APP_TRUSTED_PROXIES: '10.0.0.0/8, fd00::/8' }];
const MAIN = join(import.meta.dir, '..', '..', '..', 'src', 'main.ts');

const xff = (address: string) => ({ 'x-forwarded-for': address });
const agents = (server: TestServer, headers: Record<string, string>) =>
  server.json('GET', '/api/agents', undefined, headers);
const filesIndex = (server: TestServer, headers: Record<string, string>) =>
  server.json('GET', '/api/files/index', undefined, headers);

/** Ten wrong tokens: the lockout's threshold. */
async function failTenTimes(server: TestServer, headersFor: (attempt: number) => Record<string, string>) {
  for (let attempt = 0; attempt < 10; attempt++) {
    expect((await agents(server, { ...BAD, ...headersFor(attempt) })).status).toBe(401);
  }
}

function expectLockedOut(answer: { status: number; headers: Headers; body: any }) {
  expect(answer.status).toBe(429);
  expect(answer.body.error.code).toBe('rate_limit_exceeded');
  expect(answer.headers.get('retry-after')).toBe('300');
}

describe('auth lockout behind a proxy', () => {
  it('through a trusted proxy, locks out only the forwarded client that guessed', async () => {
    await using server = await startTestServer({ env: { ...TRUSTED, APP_API_TOKEN: TOKEN } });
    await failTenTimes(server, () => xff('203.0.113.7'));
    expectLockedOut(await agents(server, { ...GOOD, ...xff('203.0.113.7') }));
    // A hop the client prepends changes nothing: the proxy's own entry is the rightmost one.
    expectLockedOut(await agents(server, { ...GOOD, ...xff('198.51.100.99, 203.0.113.7') }));
    expect((await agents(server, { ...GOOD, ...xff('203.0.113.8') })).status).toBe(200);
    expect((await agents(server, { ...GOOD, forwarded: 'for="[2001:db8::1]:4711";proto=https' })).status).toBe(200);
    expect((await agents(server, GOOD)).status).toBe(200);
  });

  it('through a trusted proxy, counts garbage forwarding headers against the proxy itself, never a 5xx', async () => {
    await using server = await startTestServer({ env: { ...TRUSTED, APP_API_TOKEN: TOKEN } });
    const garbage = ['not-an-ip', '', ',,', '203.0.113.7, bogus', '999.1.1.1', 'x'.repeat(4000)];
    await failTenTimes(server, (attempt) =>
      attempt < garbage.length
        ? xff(garbage[attempt]!)
        : { forwarded: ['for=unknown', 'for="[::1', 'by=10.0.0.1', 'for=_hidden'][attempt - garbage.length]! },
    );
    expectLockedOut(await agents(server, GOOD));
    expect((await agents(server, { ...GOOD, ...xff('203.0.113.8') })).status).toBe(200);
  });

  for (const env of UNTRUSTED_SETUPS) {
    it(`directly or through an untrusted proxy (${JSON.stringify(env)}), forged forwarding headers cannot escape the lockout`, async () => {
      await using server = await startTestServer({ env: { ...env, APP_API_TOKEN: TOKEN } });
      await failTenTimes(server, (attempt) =>
        attempt % 2 ? xff(`203.0.113.${attempt}`) : { forwarded: `for=198.51.100.${attempt}` },
      );
      expectLockedOut(await agents(server, { ...GOOD, ...xff('203.0.113.200') }));
      expectLockedOut(await agents(server, { ...GOOD, forwarded: 'for=198.51.100.200' }));
      expectLockedOut(await agents(server, GOOD));
    });
  }
});

describe('rate limits behind a proxy', () => {
  const LIMIT = { APP_RATE_LIMIT_ENABLED: 'true', APP_RATE_LIMIT_FILES: '2' };

  it('through a trusted proxy, gives each forwarded client its own bucket', async () => {
    await using server = await startTestServer({ env: { ...TRUSTED, ...LIMIT } });
    const statuses = [];
    for (let index = 0; index < 3; index++) statuses.push((await filesIndex(server, xff('203.0.113.7'))).status);
    expect(statuses).toEqual([200, 200, 429]);
    const refused = await filesIndex(server, xff('198.51.100.1, 203.0.113.7'));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await filesIndex(server, xff('203.0.113.8'))).status).toBe(200);
    expect((await filesIndex(server, { forwarded: 'for="[2001:db8::1]:4711"' })).status).toBe(200);
    // Garbage from the proxy counts against the proxy's own address.
    expect((await filesIndex(server, xff('garbage'))).status).toBe(200);
    expect((await filesIndex(server, { forwarded: 'for=unknown' })).status).toBe(200);
    expect((await filesIndex(server, {})).status).toBe(429);
  });

  for (const env of UNTRUSTED_SETUPS) {
    it(`directly or through an untrusted proxy (${JSON.stringify(env)}), forged forwarding headers share one bucket`, async () => {
      await using server = await startTestServer({ env: { ...env, ...LIMIT } });
      expect((await filesIndex(server, xff('203.0.113.1'))).status).toBe(200);
      expect((await filesIndex(server, { forwarded: 'for=203.0.113.2' })).status).toBe(200);
      const refused = await filesIndex(server, xff('203.0.113.3'));
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).not.toBeNull();
    });
  }
});

describe('APP_TRUSTED_PROXIES at start', () => {
  it('exits with code 2 naming the variable when it is malformed', async () => {
    using temp = makeTempDir('proxies-');
    const child = Bun.spawn({
      cmd: [process.execPath, MAIN, '--port', '0', '--data-dir', join(temp.path, 'data')],
      cwd: temp.path,
      env: cleanEnv({ APP_TRUSTED_PROXIES: '10.0.0.0/8, 10.0.0.0/40' }),
      stdout: 'pipe',
      stderr: 'pipe',
    });
    try {
      const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
      expect(code).toBe(2);
      expect(stderr).toContain('APP_TRUSTED_PROXIES must be IP addresses or CIDR ranges');
    } finally {
      // Should it start serving instead of exiting, it must not outlive the test.
      child.kill();
    }
  });
});
