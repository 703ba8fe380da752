// A session's first turn names it only when the client has not: a title given at creation or by a rename is kept.
import { describe, expect, it } from 'bun:test';
import { startChatFixture } from '../../support/chat-fixture';
import { readSse, readStreamRest, readStreamUntil, streamSse } from '../../support/sse-client';

describe('the first turn and a title the client gave', () => {
  it('keeps a title given at creation: no title call, and the title event names it', async () => {
    await using fixture = await startChatFixture();
    const created = await fixture.server.json('POST', '/api/sessions', { title: 'Trip planning' });
    const sessionId = created.body.data.session_id;
    fixture.model.enqueue({ kind: 'text', text: 'Sure.' });
    const events = await readSse(await fixture.chat({ message: 'Plan a trip to Lisbon', session_id: sessionId }));
    expect(events.find((event) => event.event === 'title')!.data.title).toBe('Trip planning');
    expect(fixture.model.chatRequests().length).toBe(1);
    const sessions = (await fixture.server.json('GET', '/api/sessions')).body.data;
    expect(sessions.find((session: any) => session.session_id === sessionId).title).toBe('Trip planning');
  });

  it('keeps a rename made while the first turn streams', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'text', text: 'slow '.repeat(100), chunkSize: 5, delayMs: 5 });
    fixture.model.setFallback(() => ({ kind: 'text', text: 'Model title' }));
    const stream = streamSse(await fixture.chat({ message: 'Plan a trip to Lisbon', session_id: sessionId }));
    await readStreamUntil(stream, 'token');
    const renamed = await fixture.server.json('PUT', `/api/sessions/${sessionId}`, { title: 'My own name' });
    expect(renamed.status).toBe(200);
    const rest = await readStreamRest(stream);
    expect(rest.find((event) => event.event === 'title')!.data.title).toBe('My own name');
    const sessions = (await fixture.server.json('GET', '/api/sessions')).body.data;
    expect(sessions.find((session: any) => session.session_id === sessionId).title).toBe('My own name');
  });
});
