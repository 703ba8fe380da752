import { describe, expect, it } from 'bun:test';
import { startChatFixture, storeSixMessages } from '../../support/chat-fixture';
import { readSse } from '../../support/sse-client';

describe('session actions that use the model', () => {
  it('compresses older messages into a summary and keeps the rest', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    const small = await fixture.server.json('POST', `/api/sessions/${sessionId}/compress`);
    expect(small.status).toBe(400);
    expect(small.body.error).toEqual(expect.objectContaining({ code: 'invalid_state', details: { message_count: 0 } }));
    const agent = fixture.server.deps.agents.get('default');
    await storeSixMessages(fixture, sessionId);
    fixture.model.enqueue({ kind: 'text', text: 'The user sent a to d.' });
    const result = await fixture.server.json('POST', `/api/sessions/${sessionId}/compress`);
    expect(result.body.data).toEqual({
      session_id: sessionId,
      agent_id: 'default',
      archived_count: 4,
      remaining_count: 2,
      summary: 'The user sent a to d.',
    });
    const history = (await fixture.server.json('GET', `/api/sessions/${sessionId}/messages`)).body.data;
    expect(history.compressed_context).toBe('The user sent a to d.');
    expect(history.messages.map((message: any) => message.content)).toEqual(['message e', 'message f']);
    expect(history.system_prompt).toContain('<!-- Soul -->');
    expect((await agent.storage.messages.archives(sessionId))[0]!.messages.map((message) => message.content)).toEqual([
      'message a',
      'message b',
      'message c',
      'message d',
    ]);
    fixture.model.enqueue({ kind: 'text', text: 'Next question' });
    await fixture.server.json('POST', '/api/chat', { message: 'next question', session_id: sessionId, stream: false });
    const sent = fixture.model
      .chatRequests()
      .at(-1)!
      .body.messages.map((message: any) => message.content);
    expect(sent[1]).toBe('[Summary of Earlier Conversation]\nThe user sent a to d.');
  });

  it('compresses with a message queued meanwhile: remaining_count counts only the stored messages that stay', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    await storeSixMessages(fixture, sessionId);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    fixture.model.enqueue({ kind: 'held', until: released, step: { kind: 'text', text: 'The user sent a to d.' } });
    fixture.model.setFallback({ kind: 'text', text: 'Answer to the queued one.' });
    const compressing = fixture.server.json('POST', `/api/sessions/${sessionId}/compress`);
    // The summary call is under way: the session is held, so the message waits as queued.
    await fixture.model.waitForRequests(1);
    const queued = await fixture.chat({ message: 'queued one', session_id: sessionId, on_busy: 'enqueue' });
    expect(queued.status).toBe(200);
    const history = async () =>
      (await fixture.server.json('GET', `/api/sessions/${sessionId}/history`)).body.data.messages as any[];
    expect((await history()).map((message) => [message.content, message.status])).toEqual([
      ...['a', 'b', 'c', 'd', 'e', 'f'].map((text) => [`message ${text}`, undefined]),
      ['queued one', 'queued'],
    ]);
    release();
    const result = await compressing;
    expect(result.body.data).toEqual({
      session_id: sessionId,
      agent_id: 'default',
      archived_count: 4,
      remaining_count: 2,
      summary: 'The user sent a to d.',
    });
    // The queued message was neither archived nor lost: it runs once the session is free.
    const events = await readSse(queued);
    expect(events.find((event) => event.event === 'done')!.data.content).toBe('Answer to the queued one.');
    expect((await history()).map((message) => message.content)).toEqual([
      'message e',
      'message f',
      'queued one',
      'Answer to the queued one.',
    ]);
  });

  it('compresses twice at once without losing a summary: the second waits or is refused, every message archived once', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    const agent = fixture.server.deps.agents.get('default');
    const contents = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8'];
    await fixture.server.deps.sessions.of(agent).append(
      sessionId,
      contents.map((content, index) => ({
        role: index % 2 === 0 ? ('user' as const) : ('assistant' as const),
        content,
      })),
    );
    fixture.model.enqueue({ kind: 'text', text: 'SUMMARY-ONE' }, { kind: 'text', text: 'SUMMARY-TWO' });
    const compress = () => fixture.server.json('POST', `/api/sessions/${sessionId}/compress`);
    const answers = await Promise.all([compress(), compress()]);
    // The second either ran after the first (the session held meanwhile) or was refused as busy, changing nothing.
    const done = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status !== 200);
    expect(done.length).toBeGreaterThanOrEqual(1);
    expect(refused.map((answer) => [answer.status, answer.body.error.code])).toEqual(
      refused.map(() => [409, 'session_busy']),
    );
    const history = (await fixture.server.json('GET', `/api/sessions/${sessionId}/messages`)).body.data;
    // Each compression's summary follows the one before it: none is replaced by a summary that did not know it.
    expect(history.compressed_context.split('\n---\n').toSorted()).toEqual(
      done.map((answer) => answer.body.data.summary).toSorted(),
    );
    const archived = (await agent.storage.messages.archives(sessionId)).flatMap((archive) =>
      archive.messages.map((message) => message.content),
    );
    const remaining = history.messages.map((message: any) => message.content);
    expect([...archived, ...remaining].toSorted()).toEqual(contents);
  });

  it('generates a title, and refuses an empty session', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    expect((await fixture.server.json('POST', `/api/sessions/${sessionId}/generate-title`)).body.error.code).toBe(
      'invalid_state',
    );
    await fixture.server.deps.sessions
      .of(fixture.server.deps.agents.get('default'))
      .append(sessionId, [{ role: 'user', content: 'Plan a trip to Lisbon in May' }]);
    fixture.model.enqueue({ kind: 'text', text: 'Lisbon trip in May.\nextra line' });
    const titled = await fixture.server.json('POST', `/api/sessions/${sessionId}/generate-title`);
    expect(titled.body.data).toEqual({ session_id: sessionId, title: 'Lisbon trip in May' });
    fixture.model.enqueue({ kind: 'error', status: 500 });
    const fallback = await fixture.server.json('POST', `/api/sessions/${sessionId}/generate-title`);
    expect(fallback.body.data.title).toBe('Plan a trip to Lisbon in May');
  });

  it('counts tokens of the prompt, the messages and files', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    await fixture.server.deps.sessions
      .of(fixture.server.deps.agents.get('default'))
      .append(sessionId, [{ role: 'user', content: 'hello world' }]);
    const counts = (await fixture.server.json('GET', `/api/tokens/session/${sessionId}`)).body.data;
    expect(counts.message_tokens).toBe(2);
    expect(counts.system_tokens).toBeGreaterThan(100);
    expect(counts.total_tokens).toBe(counts.system_tokens + 2);
    await fixture.server.json('PUT', '/api/config/rag-mode', { enabled: true });
    const files = await fixture.server.json('POST', '/api/tokens/files', {
      paths: ['memory/MEMORY.md', '../../etc/passwd', 'memory/none.md'],
    });
    expect(files.body.data[0].tokens).toBeGreaterThan(5);
    expect(files.body.data.slice(1)).toEqual([
      { path: '../../etc/passwd', tokens: 0, error: 'invalid_path' },
      { path: 'memory/none.md', tokens: 0, error: 'not_found' },
    ]);
    expect((await fixture.server.json('GET', '/api/tokens/session/nope')).status).toBe(404);
  });
});

describe('model parameters', () => {
  it('sends llm_runtime.temperature, except to OpenAI reasoning models that refuse it', async () => {
    for (const [model, temperature] of [
      ['fake-model', 0.2],
      ['gpt-5-mini', undefined],
    ] as const) {
      await using fixture = await startChatFixture({ env: { LLM_MODEL: model } });
      const sessionId = await fixture.newSession();
      fixture.model.enqueue({ kind: 'text', text: 'ok' }, { kind: 'text', text: 'Title' });
      expect(
        (await fixture.server.json('POST', '/api/chat', { message: 'hi', session_id: sessionId, stream: false }))
          .status,
      ).toBe(200);
      expect(fixture.model.chatRequests()[0]!.body.temperature).toBe(temperature);
    }
  });
});

describe('POST /api/tokens/files limits', () => {
  it('counts a long unbroken run quickly, a repeated path once, and stops at 8 MiB per request', async () => {
    await using fixture = await startChatFixture();
    const { server } = fixture;
    await server.json('POST', '/api/files', { path: 'memory/run.md', content: 'a'.repeat(100_000) });
    // 10,000 spaces held the server for 10 s before (a merge loop quadratic in the run's length); these, hours.
    await server.json('POST', '/api/files', { path: 'memory/blank.md', content: `x${' '.repeat(300_000)}\n` });
    const blank = await server.json('POST', '/api/tokens/files', { paths: ['memory/blank.md'] });
    expect(blank.body.data[0].tokens).toBeGreaterThan(1000);
    for (const name of ['big1', 'big2'])
      await server.json('POST', '/api/files', { path: `knowledge/${name}.txt`, content: 'word '.repeat(1_000_000) });
    const answer = await server.json('POST', '/api/tokens/files', {
      paths: [...Array(150).fill('memory/run.md'), 'knowledge/big1.txt', 'knowledge/big2.txt'],
    });
    expect(answer.status).toBe(200);
    const rows = answer.body.data as { path: string; tokens: number; error?: string }[];
    expect(rows).toHaveLength(152);
    expect(new Set(rows.slice(0, 150).map((row) => row.tokens))).toEqual(new Set([rows[0]!.tokens]));
    expect(rows[0]!.tokens).toBeGreaterThan(0);
    expect(rows[150]!.error).toBeUndefined();
    expect(rows[150]!.tokens).toBeGreaterThan(999_000);
    expect(rows[151]).toEqual({ path: 'knowledge/big2.txt', tokens: 0, error: 'too_large' });
  });
});
