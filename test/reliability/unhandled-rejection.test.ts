// A promise rejected with nothing to handle it (a stray background chain) must not end the server: it logs and serves on.
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { waitFor } from '../support/scheduler-fixture';
import { startServerProcess } from '../support/server-process';
import { makeTempDir } from '../support/temp-dir';

// Preloaded into the server's process: once it listens, a rejection no one handles, as a forgotten `.then` chain
// would leave (the lock release that ended a replica when PostgreSQL went away was one).
const PRELOAD = `
const serve = Bun.serve;
Bun.serve = (...args) => {
  const server = serve(...args);
  setTimeout(() => void Promise.reject(new Error('stray rejection from the test')), 0);
  return server;
};
`;

describe('a promise rejected with nothing to handle it', () => {
  it('is logged, and the server goes on serving and stops cleanly', async () => {
    using temp = makeTempDir('moc-unhandled-');
    const preload = join(temp.path, 'stray-rejection.ts');
    await Bun.write(preload, PRELOAD);
    await using running = await startServerProcess({ env: { BUN_OPTIONS: `--preload=${preload}` } });
    const line = await waitFor(() =>
      running.server
        .stderr()
        .split('\n')
        .find((entry) => entry.includes('stray rejection from the test')),
    );
    expect(JSON.parse(line)).toMatchObject({
      level: 'error',
      message: 'a promise was rejected with nothing to handle it; the server goes on',
    });
    expect((await running.api('GET', '/api/health')).status).toBe(200);
    expect(await running.server.stop('SIGTERM')).toBe(0);
  });
});
