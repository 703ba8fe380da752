import { describe, expect, it } from 'bun:test';
import { startChatFixture } from '../../support/chat-fixture';
import { readSse } from '../../support/sse-client';

describe('POST /api/chat (reasoning)', () => {
  it('sends the model reasoning as a reasoning event before done, once', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      {
        kind: 'text',
        text: 'The answer is 4.',
        reasoning: 'Two plus two makes four.',
        usage: { prompt_tokens: 12, completion_tokens: 9, completion_tokens_details: { reasoning_tokens: 5 } },
      },
      { kind: 'text', text: 'Arithmetic' },
    );
    const events = await readSse(await fixture.chat({ message: 'What is 2+2?', session_id: sessionId }));
    const names = events.map((event) => event.event);
    const reasoning = events.filter((event) => event.event === 'reasoning');
    expect(reasoning).toHaveLength(1);
    const runId = events[0]!.data.run_id;
    expect(reasoning[0]!.data).toEqual({ run_id: runId, content: 'Two plus two makes four.' });
    expect(names.indexOf('reasoning')).toBeLessThan(names.indexOf('done'));
    const tokens = events
      .filter((event) => event.event === 'token')
      .map((event) => event.data.content)
      .join('');
    expect(tokens).toBe('The answer is 4.');
    const done = events.find((event) => event.event === 'done')!.data;
    expect(done.usage.reasoning_tokens).toBe(5);
  });
});
