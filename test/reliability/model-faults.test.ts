// Model and network faults: each ends in a clear error (or a recovery), a consistent history, a healthy server.
import { describe, expect, it } from 'bun:test';
import { startChatFixture, type ChatFixture } from '../support/chat-fixture';
import { startFakeOpenAiServer } from '../support/fake-openai-server';
import { readSse } from '../support/sse-client';

async function turn(fixture: ChatFixture, sessionId: string, message: string) {
  const events = await readSse(await fixture.chat({ message, session_id: sessionId }));
  const history = (await fixture.server.json('GET', `/api/sessions/${sessionId}/history`)).body.data.messages as any[];
  return { events, names: events.map((event) => event.event), history };
}

async function expectHealthy(fixture: ChatFixture) {
  expect((await fixture.server.json('GET', '/api/health')).status).toBe(200);
  const sessionId = await fixture.newSession();
  fixture.model.enqueue({ kind: 'text', text: 'Still here.' }, { kind: 'text', text: 'Check' });
  const after = await turn(fixture, sessionId, 'are you ok?');
  expect(after.events.find((event) => event.event === 'done')!.data.content).toBe('Still here.');
}

describe('model faults', () => {
  it('HTTP 500 on every attempt: one error event after the retries, the user message kept, nothing else', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'error', status: 500 }, { kind: 'error', status: 500 });
    const { names, events, history } = await turn(fixture, sessionId, 'hello');
    expect(names.filter((name) => name === 'run_start')).toHaveLength(2);
    expect(names.at(-1)).toBe('error');
    expect(events.at(-1)!.data.code).toBe('llm_error');
    expect(history.map((message) => message.role)).toEqual(['user']);
    await expectHealthy(fixture);
  });

  it('a provider that answers a failure with a 5 MB page: the error is cut short everywhere it goes', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    const page = { error: { message: `<html>${'Bad gateway '.repeat(400_000)}</html>`, type: 'server_error' } };
    fixture.model.enqueue({ kind: 'error', status: 500, body: page }, { kind: 'error', status: 500, body: page });
    const { events } = await turn(fixture, sessionId, 'hello');
    const error = events.at(-1)!;
    expect(error.event).toBe('error');
    expect(error.data.error.length).toBeLessThan(2100);
    expect(error.data.error).toMatch(/^500 <html>Bad gateway .*… \(\d+ more characters\)$/s);
    const run = (await fixture.server.json('GET', `/api/runs/${events[0]!.data.run_id}`)).body.data;
    expect(run.error.message).toBe(error.data.error);
    fixture.model.enqueue({ kind: 'error', status: 500, body: page }, { kind: 'error', status: 500, body: page });
    const once = await fixture.server.json('POST', '/api/chat', {
      message: 'again',
      session_id: sessionId,
      stream: false,
    });
    expect(once.status).toBe(502);
    expect(once.body.error.message.length).toBeLessThan(2100);
    const profile = (await fixture.server.json('GET', '/api/config/llm')).body.data.profiles[0];
    expect(profile.last_error.message.length).toBeLessThan(2100);
    // Four failures in a row opened the breaker: the server stays up, the profile waits for its cool-down.
    expect(profile.state).toBe('open');
    expect((await fixture.server.json('GET', '/api/health')).status).toBe(200);
  });

  it('429 with Retry-After: waits what the server asked (within the timeout) and succeeds', async () => {
    const waits: number[] = [];
    await using fixture = await startChatFixture({ overrides: { sleep: async (ms) => void waits.push(ms) } });
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      { kind: 'error', status: 429, headers: { 'retry-after': '3' } },
      { kind: 'text', text: 'After the wait.' },
      { kind: 'text', text: 'Waiting' },
    );
    const { events, history } = await turn(fixture, sessionId, 'hello');
    expect(events.find((event) => event.event === 'done')!.data.content).toBe('After the wait.');
    expect(waits).toEqual([3000]);
    expect(history.map((message) => [message.role, message.content])).toEqual([
      ['user', 'hello'],
      ['assistant', 'After the wait.'],
    ]);
  });

  it('429 asking for longer than the model timeout: reported at once instead of waiting', async () => {
    const waits: number[] = [];
    await using fixture = await startChatFixture({ overrides: { sleep: async (ms) => void waits.push(ms) } });
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '3600' } });
    const { events } = await turn(fixture, sessionId, 'hello');
    expect(events.at(-1)!.event).toBe('error');
    expect(events.at(-1)!.data.error).toContain('429');
    expect(waits).toEqual([]);
  });

  it('a model that never answers: an error event after llm_runtime.timeout_seconds', async () => {
    await using fixture = await startChatFixture();
    await fixture.server.json('PUT', '/api/config/runtime', {
      config: { llm_runtime: { timeout_seconds: 5 }, agent_runtime: { max_retries: 0 } },
    });
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'hang' });
    const { events, history } = await turn(fixture, sessionId, 'hello');
    expect(events.at(-1)!.event).toBe('error');
    expect(events.at(-1)!.data.error.toLowerCase()).toContain('time');
    expect(history.map((message) => message.role)).toEqual(['user']);
    await expectHealthy(fixture);
  }, 20_000);

  it('a malformed stream chunk: an error event, a consistent history', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'malformed' }, { kind: 'malformed' });
    const { events, history } = await turn(fixture, sessionId, 'hello');
    expect(events.at(-1)!.event).toBe('error');
    expect(history.map((message) => message.role)).toEqual(['user']);
    await expectHealthy(fixture);
  });

  it('a tool call whose arguments are not JSON: the model is told, and the turn still ends cleanly', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'read_file', args: '{path: knowledge/x.md, oops' }] },
      { kind: 'text', text: 'Sorry, let me answer directly.' },
      { kind: 'text', text: 'Bad arguments' },
    );
    const { events, names, history } = await turn(fixture, sessionId, 'use a tool');
    expect(names.at(-2) === 'done' || names.at(-1) === 'done' || names.at(-1) === 'error').toBe(true);
    const last = history.at(-1)!;
    expect(history[0]).toEqual(expect.objectContaining({ role: 'user', content: 'use a tool' }));
    expect(events.find((event) => event.event === 'done')!.data.content).toBe('Sorry, let me answer directly.');
    expect(last.content).toBe('Sorry, let me answer directly.');
    // The model saw a tool result telling it the arguments were not valid JSON.
    const toolMessage = fixture.model.chatRequests()[1]!.body.messages.find((message: any) => message.role === 'tool');
    expect(JSON.parse(toolMessage.content).error.code).toBe('E_INVALID_ARGS');
    expect(names.filter((name) => name === 'tool_end')).toHaveLength(1);
    await expectHealthy(fixture);
  });

  it('an embedding server that is down: rag-mode chat still answers from keywords, the status says degraded, then recovers', async () => {
    await using embeddings = await startFakeOpenAiServer();
    await using fixture = await startChatFixture({
      env: { EMBEDDING_BASE_URL: embeddings.baseUrl, EMBEDDING_API_KEY: 'embed-key', EMBEDDING_MODEL: 'fake-embed' },
    });
    const { server, model } = fixture;
    expect((await server.json('PUT', '/api/config/rag-mode', { enabled: true })).status).toBe(200);
    await server.json('POST', '/api/files', {
      path: 'memory/MEMORY.md',
      content: '# Memory\nThe user drinks espresso every morning.\n',
    });
    await server.deps.retrieval.idle();
    const status = async () => (await server.json('GET', '/api/retrieval/status')).body.data;
    expect((await status()).embedding.state).not.toBe('degraded');
    embeddings.failEmbeddings(503);
    const sessionId = await fixture.newSession();
    model.enqueue({ kind: 'text', text: 'Espresso.' }, { kind: 'text', text: 'Coffee' });
    const { events, history } = await turn(fixture, sessionId, 'Which espresso habit do I have?');
    expect(events[0]!.event).toBe('retrieval');
    expect(events[0]!.data.results[0].source).toBe('memory/MEMORY.md');
    expect(events.find((event) => event.event === 'done')!.data.content).toBe('Espresso.');
    expect(history.map((message) => message.role)).toEqual(['user', 'assistant']);
    const degraded = await status();
    expect([degraded.embedding.state, degraded.search_path]).toEqual(['degraded', 'keyword_only']);
    expect(degraded.embedding.last_error).toContain('503');
    embeddings.failEmbeddings(null);
    // An operator reindex ends the cool-down; the next search embeds its query again.
    expect((await server.json('POST', '/api/retrieval/reindex')).status).toBe(200);
    expect((await server.json('GET', '/api/retrieval/search?domain=memory&q=espresso')).status).toBe(200);
    expect([(await status()).embedding.state, (await status()).search_path]).toEqual(['ok', 'hybrid']);
    await expectHealthy(fixture);
  });
});
