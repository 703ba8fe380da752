// Stopping at once (no deadline, as tests stop) under a run still streaming: storage closes with the run
// `interrupted` and its reply so far kept as an `interrupted` message, in SQLite and PostgreSQL alike.
import { Database } from 'bun:sqlite';
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { type ChatFixture, startChatFixture } from '../../support/chat-fixture';
import { describeWithPostgres } from '../../support/postgres-database';
import { waitUntil } from '../../support/process-probe';
import { readStreamRest, readStreamUntil, streamSse } from '../../support/sse-client';
import { makeTempDir } from '../../support/temp-dir';

const TEXT = 'Once upon a time, far away';

/** A turn whose model streams TEXT, then stalls for good; resolves once the client has every token. */
async function stallingTurn(fixture: ChatFixture) {
  fixture.model.enqueue({ kind: 'cut', text: TEXT, after: new Promise(() => undefined) });
  const sessionId = await fixture.newSession();
  const chat = streamSse(await fixture.chat({ message: 'Tell me a story', session_id: sessionId }));
  let received = '';
  const seen = await readStreamUntil(chat, (record) => {
    if (record.event === 'token') received += record.data.content;
    return received === TEXT;
  });
  return { sessionId, chat, runId: seen.find((record) => record.event === 'run_start')!.data.run_id as string };
}

/** Stops the server under the turn; its stream ends with the stop's event. */
async function stopUnder(fixture: ChatFixture, turn: Awaited<ReturnType<typeof stallingTurn>>) {
  await fixture.server.stop();
  expect((await readStreamRest(turn.chat)).at(-1)).toMatchObject({ event: 'error', data: { code: 'not_ready' } });
}

/** The run was cancelled: its model call is aborted rather than left to stall on. */
const modelCallAborted = (fixture: ChatFixture) => waitUntil(() => fixture.model.abortedRequests() === 1);

const expectedMessages = (runId: string) => [
  { role: 'user', content: 'Tell me a story', run_id: null, status: null },
  { role: 'assistant', content: TEXT, run_id: runId, status: 'interrupted' },
];

describe('stopping at once under a live run (SQLite)', () => {
  it('closes the agent database with the run interrupted and its reply so far kept, no live snapshot left', async () => {
    using temp = makeTempDir('moc-stop-live-');
    await using fixture = await startChatFixture({ dataDir: temp.path });
    const turn = await stallingTurn(fixture);
    await stopUnder(fixture, turn);
    const db = new Database(join(temp.path, 'workspaces', 'default', 'storage', 'agent.db'), { readonly: true });
    try {
      const run = db.query('SELECT status, finished_ms FROM runs WHERE run_id = ?').get(turn.runId) as any;
      expect(run).toEqual({ status: 'interrupted', finished_ms: expect.any(Number) });
      expect(db.query('SELECT live_response FROM sessions WHERE id = ?').get(turn.sessionId)).toEqual({
        live_response: null,
      });
      const messages = db.query('SELECT role, content, run_id, status FROM messages WHERE session_id = ? ORDER BY id');
      expect(messages.all(turn.sessionId)).toEqual(expectedMessages(turn.runId));
    } finally {
      db.close();
    }
    expect(await modelCallAborted(fixture)).toBe(true);
  }, 30_000);
});

describe('stopping at once under a run that has sent done (SQLite)', () => {
  it('stores the run completed, as its reply was, when only its title call was left', async () => {
    using temp = makeTempDir('moc-stop-done-');
    await using fixture = await startChatFixture({ dataDir: temp.path });
    fixture.model.enqueue({ kind: 'text', text: 'The whole story.' });
    // The first turn's title call gets no answer: the run is live after `done`.
    fixture.model.enqueue({ kind: 'hang' });
    const sessionId = await fixture.newSession();
    const chat = streamSse(await fixture.chat({ message: 'Tell me a story', session_id: sessionId }));
    const seen = await readStreamUntil(chat, 'done');
    const runId = seen.find((record) => record.event === 'run_start')!.data.run_id as string;
    expect(await waitUntil(() => fixture.model.chatRequests().length === 2)).toBe(true);
    await fixture.server.stop();
    const db = new Database(join(temp.path, 'workspaces', 'default', 'storage', 'agent.db'), { readonly: true });
    try {
      expect(db.query('SELECT status FROM runs WHERE run_id = ?').get(runId)).toEqual({ status: 'completed' });
      const messages = db.query('SELECT role, content, status FROM messages WHERE session_id = ? ORDER BY id');
      expect(messages.all(sessionId)).toEqual([
        { role: 'user', content: 'Tell me a story', status: null },
        { role: 'assistant', content: 'The whole story.', status: null },
      ]);
    } finally {
      db.close();
    }
  }, 30_000);
});

describeWithPostgres('stopping at once under a live run (PostgreSQL)', (database) => {
  it('leaves the run interrupted and its reply so far kept in the shared database, no live snapshot left', async () => {
    await using fixture = await startChatFixture({ env: { APP_DATABASE_URL: database.url } });
    const turn = await stallingTurn(fixture);
    await stopUnder(fixture, turn);
    const { sql } = database;
    const [run] = await sql`SELECT status, finished_ms FROM runs WHERE agent_id = 'default' AND run_id = ${turn.runId}`;
    expect(run.status).toBe('interrupted');
    expect(run.finished_ms).not.toBeNull();
    const [session] =
      await sql`SELECT live_response FROM sessions WHERE agent_id = 'default' AND id = ${turn.sessionId}`;
    expect(session.live_response).toBeNull();
    const messages = await sql`SELECT role, content, run_id, status FROM messages
      WHERE agent_id = 'default' AND session_id = ${turn.sessionId} ORDER BY id`;
    expect([...messages]).toEqual(expectedMessages(turn.runId));
    expect(await modelCallAborted(fixture)).toBe(true);
  }, 60_000);
});
