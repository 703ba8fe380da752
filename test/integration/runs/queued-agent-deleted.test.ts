// Messages queued (on_busy `enqueue`) on a session of an agent that is deleted, and its id created again, while they wait.
import { describe, expect, it } from 'bun:test';
import { startChatFixture, type ChatFixture } from '../../support/chat-fixture';
import { readSse } from '../../support/sse-client';

const AGENT = 'doomed';

const userTexts = (fixture: ChatFixture) =>
  fixture.model
    .chatRequests()
    .flatMap((request) => (request.body.messages as { role: string; content: unknown }[]) ?? [])
    .filter((message) => message.role === 'user')
    .map((message) => message.content);

/** An agent `AGENT` with a session whose run hangs in the model, and two messages queued behind it (streams unread). */
async function queuedBehindLiveRun(fixture: ChatFixture) {
  expect((await fixture.server.json('POST', '/api/agents', { agent_id: AGENT })).status).toBe(200);
  const sessionId = await fixture.newSession(AGENT);
  fixture.model.enqueue({ kind: 'hang' });
  const live = fixture.chat({ agent_id: AGENT, session_id: sessionId, message: 'hang' });
  await fixture.model.waitForRequests(1);
  const queued = [];
  for (const message of ['queued one', 'queued two']) {
    const response = await fixture.chat({ agent_id: AGENT, session_id: sessionId, message, on_busy: 'enqueue' });
    expect(response.status).toBe(200);
    queued.push(response);
  }
  return { sessionId, live, queued };
}

describe('POST /api/chat on_busy enqueue, the agent deleted while messages wait', () => {
  it('ends every queued stream with agent_deleted; nothing queued runs', async () => {
    await using fixture = await startChatFixture();
    const { live, queued } = await queuedBehindLiveRun(fixture);
    expect((await fixture.server.json('DELETE', `/api/agents/${AGENT}`)).status).toBe(200);
    const liveEvents = await readSse(await live);
    expect(liveEvents.filter((event) => event.event === 'error').map((event) => event.data.code)).toEqual([
      'agent_deleted',
    ]);
    for (const response of queued) {
      const events = await readSse(response);
      expect(events.map((event) => [event.event, event.data.code, event.data.error])).toEqual([
        ['error', 'agent_deleted', `Agent was deleted: ${AGENT}`],
      ]);
    }
    expect(userTexts(fixture)).not.toContain('queued one');
  });

  it('with the id created again at once: the old streams end agent_deleted, the new agent has none of the old queue', async () => {
    await using fixture = await startChatFixture();
    const { sessionId, queued } = await queuedBehindLiveRun(fixture);
    expect((await fixture.server.json('DELETE', `/api/agents/${AGENT}`)).status).toBe(200);
    expect((await fixture.server.json('POST', '/api/agents', { agent_id: AGENT })).status).toBe(200);
    for (const response of queued) {
      const events = await readSse(response);
      expect(events.map((event) => [event.event, event.data.code, event.data.error])).toEqual([
        ['error', 'agent_deleted', `Agent was deleted: ${AGENT}`],
      ]);
    }
    expect(userTexts(fixture)).not.toContain('queued one');
    expect((await fixture.server.json('GET', `/api/sessions?agent_id=${AGENT}`)).body.data).toEqual([]);
    const old = await fixture.server.json('GET', `/api/sessions/${sessionId}/history?agent_id=${AGENT}`);
    expect([old.status, old.body.error.code]).toEqual([404, 'not_found']);
    // The new agent works, its queue included.
    fixture.model.setFallback(() => ({ kind: 'text', text: 'Fresh answer.' }));
    const fresh = await fixture.newSession(AGENT);
    const events = await readSse(
      await fixture.chat({ agent_id: AGENT, session_id: fresh, message: 'hello', on_busy: 'enqueue' }),
    );
    expect(events.find((event) => event.event === 'done')?.data.content).toBe('Fresh answer.');
  });
});
