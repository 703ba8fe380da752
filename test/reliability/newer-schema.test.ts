// A data folder written by a newer release: its agent database is refused with a clear 503, never migrated down or changed.
import { Database } from 'bun:sqlite';
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { startTestServer } from '../support/start-test-server';
import { makeTempDir } from '../support/temp-dir';

describe('agent database from a newer release', () => {
  it('answers 503 storage_unavailable naming the schema versions, and leaves the database untouched', async () => {
    using dataDir = makeTempDir('moc-newer-schema-');
    const dbPath = join(dataDir.path, 'workspaces', 'later', 'storage', 'agent.db');
    {
      await using first = await startTestServer({ dataDir: dataDir.path });
      expect((await first.json('POST', '/api/agents', { agent_id: 'later' })).status).toBe(200);
      expect((await first.json('POST', '/api/sessions?agent_id=later', { title: 'Written before' })).status).toBe(200);
    }
    const newer = 1000;
    {
      using db = new Database(dbPath);
      db.exec(`PRAGMA user_version = ${newer}`);
    }
    await using second = await startTestServer({ dataDir: dataDir.path });
    const response = await second.json('GET', '/api/sessions?agent_id=later', undefined, { 'x-request-id': 'newer-1' });
    expect({ status: response.status, body: response.body }).toEqual({
      status: 503,
      body: {
        error: {
          code: 'storage_unavailable',
          message: expect.stringMatching(
            new RegExp(`^Database schema version ${newer} is newer than this release supports \\(\\d+\\)$`),
          ),
          details: { schema_version: newer, supported_version: expect.any(Number) },
          request_id: 'newer-1',
        },
      },
    });
    using db = new Database(dbPath, { readonly: true });
    expect((db.query('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(newer);
    expect(db.query('SELECT title FROM sessions').all()).toEqual([{ title: 'Written before' }]);
  });
});
