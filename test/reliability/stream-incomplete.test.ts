// A model stream that ends early (clean close without finish_reason, or a broken connection) is a failure, not an answer.
import { describe, expect, it } from 'bun:test';
import { countTokens } from '../../src/chat/token-counter';
import { estimatePromptTokens } from '../../src/chat/model-stream-guard';
import { startChatFixture, type ChatFixture } from '../support/chat-fixture';
import { cronRuns, createJob, heartbeatRuns, waitFor } from '../support/scheduler-fixture';
import { readSse, readSseCutAfter } from '../support/sse-client';
import { echoTool } from '../support/test-tools';

const PRICED_MODEL = { LLM_MODEL: 'gpt-4.1-nano' };
/** gpt-4.1-nano in the embedded catalog: USD 0.1 / 0.4 per million input / output tokens. */
const nanoCost = (input: number, output: number) => Math.round(((input * 0.1 + output * 0.4) / 1e6) * 1e8) / 1e8;

const historyOf = async (fixture: ChatFixture, sessionId: string) =>
  (await fixture.server.json('GET', `/api/sessions/${sessionId}/history`)).body.data.messages as any[];
const recordsOf = async (fixture: ChatFixture, trigger = 'chat') =>
  (await fixture.server.json('GET', `/api/usage/records?trigger_type=${trigger}`)).body.data.records as any[];
const promptOf = (fixture: ChatFixture, index: number) =>
  estimatePromptTokens(fixture.model.chatRequests()[index]!.body);

async function turn(fixture: ChatFixture, sessionId: string, message: string) {
  const events = await readSse(await fixture.chat({ message, session_id: sessionId }));
  return { events, names: events.map((event) => event.event), history: await historyOf(fixture, sessionId) };
}

describe('a model stream that ends early', () => {
  it('closed cleanly after some tokens: an error event after them, the partial reply stored as failed, estimated usage priced', async () => {
    await using fixture = await startChatFixture({ env: PRICED_MODEL });
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      { kind: 'close', text: 'partial answer', afterChunks: 2 },
      { kind: 'text', text: 'never asked for' },
    );
    const { events, names, history } = await turn(fixture, sessionId, 'hello');
    expect(names.filter((name) => name === 'token')).toHaveLength(2);
    expect(names).not.toContain('done');
    expect(names).not.toContain('title');
    expect(names.at(-1)).toBe('error');
    expect(names.indexOf('error')).toBeGreaterThan(names.lastIndexOf('token'));
    const error = events.at(-1)!.data;
    expect(error).toEqual(expect.objectContaining({ code: 'model_stream_incomplete', attempt: 1 }));
    expect(error.error).toContain('finish_reason');
    // Output had reached the client: no retry.
    expect(fixture.model.chatRequests()).toHaveLength(1);
    expect(history).toEqual([
      expect.objectContaining({ role: 'user', content: 'hello' }),
      expect.objectContaining({ role: 'assistant', content: 'partial', status: 'failed', run_id: error.run_id }),
    ]);
    const input = promptOf(fixture, 0);
    const output = countTokens('partial ');
    const expected = {
      estimated: true,
      input_tokens: input,
      output_tokens: output,
      total_tokens: input + output,
      priced: true,
      cost_usd: nanoCost(input, output),
    };
    expect(events.filter((event) => event.event === 'usage').at(-1)!.data).toEqual(expect.objectContaining(expected));
    const records = await recordsOf(fixture);
    expect(records).toHaveLength(1);
    expect(records[0]).toEqual(
      expect.objectContaining({
        ...expected,
        run_id: error.run_id,
        session_id: sessionId,
        trigger_type: 'chat',
        model: 'gpt-4.1-nano',
      }),
    );
    const csv = (await (await fixture.server.request('/api/usage/records?format=csv')).text()).split('\r\n');
    const estimatedColumn = csv[0]!.split(',').indexOf('estimated');
    expect(estimatedColumn).toBeGreaterThan(-1);
    expect(csv[1]!.split(',')[estimatedColumn]).toBe('true');
  });

  it('with a finish_reason but no [DONE]: a complete answer', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'close', text: 'whole answer', finish: true }, { kind: 'text', text: 'Title' });
    const { events, history } = await turn(fixture, sessionId, 'hello');
    expect(events.find((event) => event.event === 'done')!.data.content).toBe('whole answer');
    expect(events.some((event) => event.event === 'error')).toBe(false);
    expect(history.map((message) => [message.role, message.content, message.status])).toEqual([
      ['user', 'hello', undefined],
      ['assistant', 'whole answer', undefined],
    ]);
  });

  it('closed before any token: retried like any failure before output, and the retry answers', async () => {
    await using fixture = await startChatFixture({ env: PRICED_MODEL });
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      { kind: 'close', text: 'lost', afterChunks: 0 },
      { kind: 'text', text: 'Recovered.' },
      { kind: 'text', text: 'Title' },
    );
    const { events, history } = await turn(fixture, sessionId, 'hello');
    expect(events.filter((event) => event.event === 'run_start').map((event) => event.data.attempt)).toEqual([1, 2]);
    expect(events.some((event) => event.event === 'error')).toBe(false);
    const done = events.find((event) => event.event === 'done')!.data;
    expect(done.content).toBe('Recovered.');
    expect(history.map((message) => [message.role, message.content, message.status])).toEqual([
      ['user', 'hello', undefined],
      ['assistant', 'Recovered.', undefined],
    ]);
    // The first attempt's prompt was sent and is counted (estimated); the retry's usage is the provider's.
    const input = promptOf(fixture, 0) + 10;
    const expected = {
      estimated: true,
      input_tokens: input,
      output_tokens: 5,
      total_tokens: input + 5,
      run_id: done.run_id,
      cost_usd: nanoCost(input, 5),
    };
    expect(done.usage).toEqual(expect.objectContaining(expected));
    expect(await recordsOf(fixture)).toEqual([expect.objectContaining(expected)]);
  });

  it('stopping inside tool-call arguments: the tool never runs and the turn fails', async () => {
    await using fixture = await startChatFixture({ overrides: { toolDefinitions: [echoTool] } });
    await fixture.server.json('PUT', '/api/config/runtime', { config: { agent_runtime: { max_retries: 0 } } });
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      { kind: 'close', calls: [{ name: 'echo', args: { text: 'hello world' } }], afterChunks: 3 },
      { kind: 'text', text: 'never asked for' },
    );
    const { events, names, history } = await turn(fixture, sessionId, 'use the tool');
    expect(names).not.toContain('tool_start');
    expect(names).not.toContain('tool_end');
    expect(events.at(-1)!.data.code).toBe('model_stream_incomplete');
    expect(fixture.model.chatRequests()).toHaveLength(1);
    expect((await fixture.server.deps.agents.get('default').storage.toolAudit.list()).length).toBe(0);
    expect(history.map((message) => message.role)).toEqual(['user']);
    // Output: the call's name and the argument pieces that arrived ('{"te', 'xt":').
    const [record] = await recordsOf(fixture);
    expect(record).toEqual(
      expect.objectContaining({
        estimated: true,
        input_tokens: promptOf(fixture, 0),
        output_tokens: countTokens('echo') + countTokens('{"text":'),
      }),
    );
  });

  it('a broken connection mid-stream is the same failure, with usage for what arrived', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    const cut = Promise.withResolvers<void>();
    fixture.model.enqueue({ kind: 'cut', text: 'partial answer', after: cut.promise });
    const response = await fixture.chat({ message: 'hello', session_id: sessionId });
    const events = await readSseCutAfter(response, 'partial answer', cut.resolve);
    const history = await historyOf(fixture, sessionId);
    expect(events.at(-1)!.event).toBe('error');
    expect(events.at(-1)!.data.code).toBe('model_stream_incomplete');
    expect(events.at(-1)!.data.error).toContain('connection broke');
    expect(history.at(-1)).toEqual(
      expect.objectContaining({ role: 'assistant', content: 'partial answer', status: 'failed' }),
    );
    expect(await recordsOf(fixture)).toEqual([
      expect.objectContaining({
        estimated: true,
        input_tokens: promptOf(fixture, 0),
        output_tokens: countTokens('partial answer'),
      }),
    ]);
  });

  it('in a non-streamed turn: 502 with the code in details, the partial reply stored as failed, usage recorded', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'close', text: 'partial answer', afterChunks: 2 });
    const response = await fixture.server.json('POST', '/api/chat', {
      message: 'hello',
      session_id: sessionId,
      stream: false,
    });
    expect(response.status).toBe(502);
    expect(response.body.error).toEqual(
      expect.objectContaining({
        code: 'llm_error',
        details: { code: 'model_stream_incomplete', run_id: expect.any(String) },
      }),
    );
    expect(response.body.error.message).toContain('finish_reason');
    expect(
      (await historyOf(fixture, sessionId)).map((message) => [message.role, message.content, message.status]),
    ).toEqual([
      ['user', 'hello', undefined],
      ['assistant', 'partial', 'failed'],
    ]);
    expect(await recordsOf(fixture)).toEqual([
      expect.objectContaining({ estimated: true, output_tokens: countTokens('partial ') }),
    ]);
  });

  it('in a cron run and a heartbeat: an error run whose last_error names model_stream_incomplete', async () => {
    await using fixture = await startChatFixture();
    const { server, model } = fixture;
    await server.json('PUT', '/api/config/runtime', {
      config: { agent_runtime: { max_retries: 0 }, heartbeat: { active_start_hour: 0, active_end_hour: 0 } },
    });
    model.setFallback({ kind: 'close', text: 'partial report', afterChunks: 2 });
    const job = await createJob(server, { schedule_type: 'every', schedule: '3600' });
    expect((await server.json('POST', `/api/scheduler/cron/jobs/${job.id}/run`)).status).toBe(200);
    const cronRow = await waitFor(async () => (await cronRuns(server)).find((row) => row.status === 'error'));
    expect(cronRow.error).toContain('model_stream_incomplete');
    const stored = (await server.json('GET', '/api/scheduler/cron/jobs')).body.data.jobs[0];
    expect(stored.last_error).toContain('model_stream_incomplete');

    await server.json('POST', '/api/files', {
      path: 'workspace/HEARTBEAT.md',
      content: '# Checks\n- Look for overdue tasks\n',
    });
    await server.json('PUT', '/api/scheduler/heartbeat', { enabled: true, interval_seconds: 3600 });
    const beat = await waitFor(async () => (await heartbeatRuns(server)).find((row) => row.status === 'error'));
    expect(beat.details.error).toContain('model_stream_incomplete');
    expect((await recordsOf(fixture, 'cron')).map((record) => record.estimated)).toEqual([true]);
    expect((await recordsOf(fixture, 'heartbeat')).map((record) => record.estimated)).toEqual([true]);
  });
});
