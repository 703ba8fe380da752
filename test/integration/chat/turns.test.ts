import { describe, expect, it } from 'bun:test';
import { startChatFixture } from '../../support/chat-fixture';
import { readSse, readSseCutAfter, readSseUntil } from '../../support/sse-client';
import { startTestServer } from '../../support/start-test-server';
import { echoTool } from '../../support/test-tools';

async function waitFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition not met within 10 s');
}

const historyOf = async (fixture: Awaited<ReturnType<typeof startChatFixture>>, sessionId: string) =>
  (await fixture.server.json('GET', `/api/sessions/${sessionId}/history`)).body.data.messages as any[];

describe('POST /api/chat (tools and failures)', () => {
  it('runs a tool call and stores each segment with its calls', async () => {
    await using fixture = await startChatFixture({
      overrides: { toolDefinitions: [echoTool] },
      env: { TOOL_LOOP_MODEL: 'tool-model' },
    });
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'echo', args: { text: 'ping' } }], text: 'Let me check.' },
      { kind: 'tool_calls', calls: [{ name: 'echo', args: { text: 'again' } }] },
      { kind: 'text', text: 'All done.' },
    );
    const events = await readSse(await fixture.chat({ message: 'use the tool', session_id: sessionId }));
    const names = events
      .map((event) => event.event)
      .filter((name) => ['token', 'tool_start', 'tool_end', 'new_response', 'done', 'title'].includes(name));
    const compact = names.filter((name, index) => name !== 'token' || names[index - 1] !== 'token');
    expect(compact).toEqual([
      'token',
      'tool_start',
      'tool_end',
      'tool_start',
      'tool_end',
      'new_response',
      'token',
      'done',
      'title',
    ]);
    expect(events.find((event) => event.event === 'tool_start')!.data).toEqual(
      expect.objectContaining({ tool: 'echo', input: { text: 'ping' } }),
    );
    expect(JSON.parse(events.find((event) => event.event === 'tool_end')!.data.output)).toEqual({
      ok: true,
      data: { echoed: 'ping' },
      meta: { tool_name: 'echo', duration_ms: expect.any(Number), truncated: false, warnings: [] },
      error: null,
    });
    expect(fixture.model.chatRequests()[0]!.body.model).toBe('tool-model');
    const history = await historyOf(fixture, sessionId);
    expect(
      history.map((message) => [
        message.role,
        message.content,
        (message.tool_calls ?? []).map((call: any) => call.input.text),
      ]),
    ).toEqual([
      ['user', 'use the tool', []],
      ['assistant', 'Let me check.', ['ping', 'again']],
      ['assistant', 'All done.', []],
    ]);
  });

  it('ends with max_steps_reached when the model keeps calling tools', async () => {
    await using fixture = await startChatFixture({ overrides: { toolDefinitions: [echoTool] } });
    await fixture.server.json('PUT', '/api/config/runtime', { config: { agent_runtime: { max_steps: 2 } } });
    fixture.model.setFallback({ kind: 'tool_calls', calls: [{ name: 'echo', args: { text: 'loop' } }] });
    const sessionId = await fixture.newSession();
    const events = await readSse(await fixture.chat({ message: 'loop forever', session_id: sessionId }));
    const last = events.at(-1)!;
    expect(last.event).toBe('error');
    expect(last.data.code).toBe('max_steps_reached');
    // max_steps tool rounds, each after a model call, then the call that would need one more.
    expect(fixture.model.chatRequests()).toHaveLength(3);
    expect(events.filter((event) => event.event === 'tool_end')).toHaveLength(2);
    expect((await fixture.server.json('GET', '/api/health')).status).toBe(200);
  });

  it('retries a model 500 once without duplicating text', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'error', status: 500 }, { kind: 'text', text: 'Recovered answer.' });
    const events = await readSse(await fixture.chat({ message: 'hi', session_id: sessionId }));
    expect(events.filter((event) => event.event === 'run_start').map((event) => event.data.attempt)).toEqual([1, 2]);
    expect(events.find((event) => event.event === 'done')!.data.content).toBe('Recovered answer.');
    expect((await historyOf(fixture, sessionId)).map((message) => message.content)).toEqual([
      'hi',
      'Recovered answer.',
    ]);
  });

  it('reports a stream cut off mid-way, stores the partial reply as failed, and stays healthy', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    const cut = Promise.withResolvers<void>();
    fixture.model.enqueue({ kind: 'cut', text: 'partial answer', after: cut.promise });
    const response = await fixture.chat({ message: 'hi', session_id: sessionId });
    const events = await readSseCutAfter(response, 'partial answer', cut.resolve);
    expect(events.at(-1)!.event).toBe('error');
    expect(events.at(-1)!.data.code).toBe('model_stream_incomplete');
    const history = await historyOf(fixture, sessionId);
    expect(history.at(-1)).toEqual(
      expect.objectContaining({ role: 'assistant', content: 'partial answer', status: 'failed' }),
    );
    expect(history.some((message) => message.streaming)).toBe(false);
    expect((await fixture.server.json('GET', '/api/health')).status).toBe(200);
  });

  it('answers 409 to a different message while a run is live, attaches the same one, and survives a disconnect', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'text', text: 'slow reply '.repeat(20), chunkSize: 5, delayMs: 5 });
    const first = await fixture.chat({ message: 'tell me slowly', session_id: sessionId });
    await readSseUntil(first, (record) => record.event === 'token');
    const busy = await fixture.chat({ message: 'something else', session_id: sessionId });
    expect(busy.status).toBe(409);
    expect(((await busy.json()) as any).error.code).toBe('session_busy');
    const attached = await readSse(await fixture.chat({ message: ' tell me slowly ', session_id: sessionId }));
    expect(attached.some((event) => event.event === 'done')).toBe(true);
    const history = await waitFor(async () => {
      const messages = await historyOf(fixture, sessionId);
      return messages.length === 2 && !messages.some((message) => message.streaming) ? messages : undefined;
    });
    expect(history[1].content).toBe('slow reply '.repeat(20).trim());
    expect(fixture.model.chatRequests()).toHaveLength(2);
  });

  it('answers non-streaming turns as one JSON object', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'text', text: 'Plain answer.' });
    const response = await fixture.server.json('POST', '/api/chat', {
      message: 'hi',
      session_id: sessionId,
      stream: false,
    });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual(
      expect.objectContaining({ content: 'Plain answer.', session_id: sessionId, agent_id: 'default' }),
    );
    expect(response.body.data.usage).toEqual(
      expect.objectContaining({
        schema_version: 2,
        trigger_type: 'chat',
        input_tokens: 10,
        output_tokens: 5,
        total_tokens: 15,
      }),
    );
    expect((await historyOf(fixture, sessionId)).map((message) => message.content)).toEqual(['hi', 'Plain answer.']);
    // The contract's non-streamed turn generates no title: one model call, the title left as it was.
    expect(fixture.model.chatRequests().length).toBe(1);
    const sessions = (await fixture.server.json('GET', '/api/sessions')).body.data;
    expect(sessions.find((session: any) => session.session_id === sessionId).title).toBe('New Session');
  });

  it('sends the system prompt only on the first turn in first_turn_only mode', async () => {
    await using fixture = await startChatFixture();
    await fixture.server.json('PUT', '/api/config/runtime', { config: { injection_mode: 'first_turn_only' } });
    const sessionId = await fixture.newSession();
    await fixture.server.json('POST', '/api/chat', { message: 'one', session_id: sessionId, stream: false });
    await fixture.server.json('POST', '/api/chat', { message: 'two', session_id: sessionId, stream: false });
    const requests = fixture.model.chatRequests().filter((request) => request.body.stream === true);
    expect(requests[0]!.body.messages[0].role).toBe('system');
    expect(JSON.stringify(requests[0]!.body.messages[0].content)).toContain('<!-- Agents Guide -->');
    expect(requests.at(-1)!.body.messages.map((message: any) => message.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('rejects bad requests before storing anything', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    expect((await fixture.chat({ message: 'hi', session_id: 'nope' })).status).toBe(404);
    expect((await fixture.chat({ message: 'hi', session_id: sessionId, agent_id: 'ghost' })).status).toBe(404);
    expect((await fixture.chat({ message: '', session_id: sessionId })).status).toBe(422);
    expect((await fixture.chat({ message: '   ', session_id: sessionId })).status).toBe(422);
    expect(await historyOf(fixture, sessionId)).toEqual([]);
  });

  it('answers 503 llm_not_configured naming the variables when no model is set', async () => {
    await using server = await startTestServer();
    const sessionId = (await server.json('POST', '/api/sessions')).body.data.session_id;
    const response = await server.json('POST', '/api/chat', { message: 'hi', session_id: sessionId });
    expect(response.status).toBe(503);
    expect(response.body.error.code).toBe('llm_not_configured');
    expect(response.body.error.message).toContain('LLM_BASE_URL');
    expect((await server.json('GET', `/api/sessions/${sessionId}/history`)).body.data.messages).toEqual([]);
  });
});
