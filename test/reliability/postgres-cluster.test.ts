// The throwaway PostgreSQL of the tests leaves nothing behind: not on dispose, not after its test process is killed.
import { describe, expect, it } from 'bun:test';
import { SQL } from 'bun';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { postgresUnavailableReason, startPostgresCluster } from '../support/postgres-cluster';

const skipReason = postgresUnavailableReason();
if (skipReason) console.log(`postgres cluster tests skipped: ${skipReason}`);

const SUPPORT = join(import.meta.dir, '..', 'support', 'postgres-cluster.ts');

async function accepts(url: string): Promise<boolean> {
  const sql = new SQL({ url, max: 1, connectionTimeout: 5 });
  try {
    await sql`SELECT 1`;
    return true;
  } catch {
    return false; // Refused: no server at that port any more.
  } finally {
    await sql.close({ timeout: 0 });
  }
}

describe.skipIf(skipReason !== null)('the test PostgreSQL cluster', () => {
  it('serves a fresh database per call, then stops and removes its folder on dispose', async () => {
    let dir = '';
    let adminUrl = '';
    {
      await using cluster = await startPostgresCluster();
      ({ dir, adminUrl } = cluster);
      const [first, second] = [await cluster.createDatabase(), await cluster.createDatabase()];
      expect(first).not.toBe(second);
      await using sql = new SQL({ url: first, max: 1 });
      expect((await sql`SELECT setting FROM pg_settings WHERE name = 'fsync'`)[0].setting).toBe('off');
      expect((await sql`SELECT count(*)::integer AS n FROM pg_tables WHERE schemaname = 'public'`)[0].n).toBe(0);
      expect(new URL(adminUrl).hostname).toBe('127.0.0.1');
    }
    expect(existsSync(dir)).toBe(false);
    expect(await accepts(adminUrl)).toBe(false);
  }, 60_000);

  it('stops and removes a cluster whose test process was killed, at the next start', async () => {
    const child = Bun.spawn({
      cmd: [
        process.execPath,
        '-e',
        `const { startPostgresCluster } = await import(${JSON.stringify(SUPPORT)}); const c = await startPostgresCluster(); console.log(JSON.stringify({ dir: c.dir, url: c.adminUrl })); setInterval(() => {}, 60_000);`,
      ],
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const reader = child.stdout.getReader();
    let line = '';
    while (!line.includes('\n')) {
      const next = await reader.read();
      if (next.done) throw new Error(`child exited: ${await new Response(child.stderr).text()}`);
      line += new TextDecoder().decode(next.value);
    }
    const orphan: { dir: string; url: string } = JSON.parse(line);
    child.kill('SIGKILL');
    await child.exited;
    expect(await accepts(orphan.url)).toBe(true);

    await using next = await startPostgresCluster();
    expect(existsSync(orphan.dir)).toBe(false);
    expect(await accepts(orphan.url)).toBe(false);
    expect(next.dir).not.toBe(orphan.dir);
  }, 60_000);
});
