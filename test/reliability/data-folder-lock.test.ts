// One server per data folder (SQLite storage): a second process is refused at start, and a killed server's lock is gone.
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { cleanEnv, startBinary } from '../support/compiled-binary';
import { startServerProcess } from '../support/server-process';
import { makeTempDir } from '../support/temp-dir';

const MAIN = join(import.meta.dir, '..', '..', 'src', 'main.ts');

/** A second server on `dataDir`: its start-up error, or `listening` (it is then killed) when it was let in. */
async function secondServer(dataDir: string, cwd: string): Promise<string> {
  return startBinary(process.execPath, {
    cwd,
    args: ['--smol', 'run', MAIN, 'serve', '--port', '0', '--data-dir', dataDir],
    env: cleanEnv({ APP_LOG_LEVEL: 'warn', APP_WARM_START: 'false' }),
    timeoutMs: 20_000,
  }).then(
    async (running) => {
      await running.stop('SIGKILL');
      return 'listening';
    },
    (error: unknown) => String(error),
  );
}

describe('the data folder lock', () => {
  it('refuses a second server on the same folder, naming it, and lets one in once the first is killed', async () => {
    using temp = makeTempDir('moc-folder-lock-');
    const dataDir = join(temp.path, 'data');
    {
      await using first = await startServerProcess({ dataDir });
      const created = await first.api('POST', '/api/sessions', {});
      expect(created.status).toBe(200);
      const refused = await secondServer(dataDir, temp.path);
      expect(refused).toContain(`another server is using the data folder ${dataDir}`);
      // The first server never noticed.
      expect((await first.api('GET', '/api/sessions')).status).toBe(200);
      // Killed outright, it leaves its lock to the system, which lets it go.
      expect(await first.server.stop('SIGKILL')).not.toBe(0);
    }
    await using next = await startServerProcess({ dataDir });
    const sessions = await next.api('GET', '/api/sessions');
    expect(sessions.status).toBe(200);
    expect(sessions.body.data.length).toBe(1);
  });
});
