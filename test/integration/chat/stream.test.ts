import { describe, expect, it } from 'bun:test';
import { startChatFixture } from '../../support/chat-fixture';
import { readSse } from '../../support/sse-client';

describe('POST /api/chat (stream)', () => {
  it('streams a turn in order, stores it, and titles the session after done', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      { kind: 'text', text: 'Hello there, friend.' },
      { kind: 'text', text: '"Greeting a friend."' },
    );
    const response = await fixture.chat({ message: 'Say hello', session_id: sessionId });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const text = await response.clone().text();
    expect(text).toContain(`"session_id": "${sessionId}"`);
    const events = await readSse(response);
    const names = events.map((event) => event.event);
    expect(names[0]).toBe('run_start');
    expect(names.slice(-2)).toEqual(['done', 'title']);
    expect(names).toContain('usage');
    const tokens = events
      .filter((event) => event.event === 'token')
      .map((event) => event.data.content)
      .join('');
    expect(tokens).toBe('Hello there, friend.');
    const done = events.find((event) => event.event === 'done')!.data;
    expect(done).toEqual(
      expect.objectContaining({
        content: 'Hello there, friend.',
        session_id: sessionId,
        agent_id: 'default',
        token_source: 'messages',
      }),
    );
    expect(done.usage.input_tokens).toBe(10);
    expect(events.at(-1)!.data).toEqual({ session_id: sessionId, agent_id: 'default', title: 'Greeting a friend' });

    const history = (await fixture.server.json('GET', `/api/sessions/${sessionId}/history`)).body.data.messages;
    expect(history.map((message: any) => [message.role, message.content])).toEqual([
      ['user', 'Say hello'],
      ['assistant', 'Hello there, friend.'],
    ]);
    const sessions = (await fixture.server.json('GET', '/api/sessions')).body.data;
    expect(sessions[0].title).toBe('Greeting a friend');
    const prompt = fixture.model.chatRequests()[0]!.body.messages[0].content;
    expect(JSON.stringify(prompt)).toContain('<!-- Soul -->');
  });
});
