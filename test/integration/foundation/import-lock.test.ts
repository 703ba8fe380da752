// `mini-openclaw import` into SQLite files as a real process: refused while a server runs on the folder.
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { runMain } from '../../support/run-main';
import { startTestServer } from '../../support/start-test-server';
import { makeTempDir } from '../../support/temp-dir';

describe('mini-openclaw import', () => {
  it('is refused while a server runs on the target folder, writing nothing, and runs once it has stopped', async () => {
    using folder = makeTempDir('moc-import-lock-');
    const source = join(folder.path, 'source');
    const target = join(folder.path, 'target');
    {
      await using server = await startTestServer({ dataDir: source });
      expect((await server.json('POST', '/api/agents', { agent_id: 'moved' })).status).toBe(200);
      const created = await server.json('POST', '/api/sessions?agent_id=moved', { title: 'Moved along' });
      expect(created.status).toBe(200);
    }
    const file = join(folder.path, 'export.jsonl');
    expect((await runMain(folder.path, ['export', '--out', file, '--data-dir', source])).code).toBe(0);
    {
      await using running = await startTestServer({ dataDir: target });
      const refused = await runMain(folder.path, ['import', '--in', file, '--data-dir', target]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `mini-openclaw import: refused: another server is using the data folder ${target}`,
      );
      expect((await running.json('GET', '/api/agents')).body.data.map((agent: any) => agent.agent_id)).toEqual([
        'default',
      ]);
    }
    const imported = await runMain(folder.path, ['import', '--in', file, '--data-dir', target]);
    expect([imported.code, imported.stderr]).toEqual([0, '']);
    await using after = await startTestServer({ dataDir: target });
    const sessions = await after.json('GET', '/api/sessions?agent_id=moved');
    expect(sessions.body.data.map((session: any) => session.title)).toEqual(['Moved along']);
  }, 30_000);
});
