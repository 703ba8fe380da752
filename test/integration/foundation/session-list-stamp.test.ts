// GET /api/sessions sends an unchanged list again from its bytes: every change must still show at the next read.
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { AGENT_DB_FILE, AGENT_STORAGE_FOLDER } from '../../../src/shared/agent-storage';
import { startChatFixture } from '../../support/chat-fixture';

// Read twice: the second read finds the stamp of the first, and the list is kept from then on.
const rows = async (fixture: Awaited<ReturnType<typeof startChatFixture>>, query = '') => {
  const [first, second] = [
    await fixture.server.json('GET', `/api/sessions${query}`),
    await fixture.server.json('GET', `/api/sessions${query}`),
  ];
  expect([first.status, second.status]).toEqual([200, 200]);
  expect(second.body).toEqual(first.body);
  return first.body.data as { session_id: string; title: string; updated_at: number }[];
};

describe('GET /api/sessions kept between reads', () => {
  it('shows a write by another process, a turn, and an agent made anew under the same name', async () => {
    await using fixture = await startChatFixture();
    const id = await fixture.newSession();
    expect((await rows(fixture)).map((row) => row.title)).toEqual(['New Session']);

    // An operator's script edits the database while the server runs: another process, another connection.
    const database = join(fixture.server.dataDir, 'workspaces', 'default', AGENT_STORAGE_FOLDER, AGENT_DB_FILE);
    const script = `const { Database } = require('bun:sqlite'); const db = new Database(${JSON.stringify(database)});
      db.exec('PRAGMA busy_timeout = 5000'); db.query("UPDATE sessions SET title = 'from elsewhere', updated_at = 1").run();`;
    const edit = Bun.spawnSync([process.execPath, '-e', script], { stderr: 'pipe' });
    expect(edit.stderr.toString()).toBe('');
    expect(await rows(fixture)).toEqual([
      expect.objectContaining({ session_id: id, title: 'from elsewhere', updated_at: 1 }),
    ]);

    const turn = await fixture.chat({ message: 'hello', session_id: id, stream: false });
    expect(turn.status).toBe(200);
    const [row] = await rows(fixture);
    expect(row!.updated_at).toBeGreaterThan(1);

    // The other scopes are kept apart from the active list and follow it.
    expect(await rows(fixture, '?scope=archived')).toEqual([]);
    await fixture.server.json('POST', `/api/sessions/${id}/archive`);
    expect(await rows(fixture)).toEqual([]);
    expect((await rows(fixture, '?scope=archived')).map((archived) => archived.session_id)).toEqual([id]);

    expect((await fixture.server.json('POST', '/api/agents', { agent_id: 'other' })).status).toBe(200);
    await fixture.newSession('other');
    expect(await rows(fixture, '?agent_id=other')).toHaveLength(1);
    expect((await fixture.server.json('DELETE', '/api/agents/other')).status).toBe(200);
    expect((await fixture.server.json('GET', '/api/sessions?agent_id=other')).status).toBe(404);
    expect((await fixture.server.json('POST', '/api/agents', { agent_id: 'other' })).status).toBe(200);
    expect(await rows(fixture, '?agent_id=other')).toEqual([]);
  });
});
