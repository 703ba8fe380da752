// POST /api/runs/{id}/cancel: the model call is aborted, tool processes die, the partial reply and usage stay, streams end.
import { describe, expect, it } from 'bun:test';
import { livePidsWith } from '../../support/process-probe';
import { startChatFixture } from '../../support/chat-fixture';
import { createJob, cronRuns, waitFor } from '../../support/scheduler-fixture';
import { readSse, readStreamRest as rest, readStreamUntil as readUntil, streamSse } from '../../support/sse-client';

describe('POST /api/runs/{run_id}/cancel', () => {
  it('aborts a model stream, keeps the partial reply as cancelled, and ends every attached stream', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'text', text: 'word '.repeat(400), chunkSize: 5, delayMs: 10 });
    const first = streamSse(await fixture.chat({ message: 'Talk', session_id: sessionId }));
    const head = await readUntil(first, (record) => record.event === 'token');
    const runId = head.find((record) => record.event === 'run_start')!.data.run_id;
    const second = streamSse(await fixture.chat({ message: 'Talk', session_id: sessionId }));
    const rejoined = streamSse(await fixture.server.request(`/api/runs/${runId}/events`));
    await readUntil(rejoined, (record) => record.event === 'token');

    const cancel = await fixture.server.json('POST', `/api/runs/${runId}/cancel`);
    expect(cancel.status).toBe(200);
    expect(cancel.body.data).toMatchObject({ run_id: runId, status: 'cancelled', error: { code: 'cancelled' } });
    for (const stream of [first, second, rejoined]) {
      const tail = await rest(stream);
      expect(tail.at(-1)).toMatchObject({ event: 'error', data: { code: 'cancelled', run_id: runId } });
      expect(tail.some((record) => record.event === 'done')).toBe(false);
    }
    await waitFor(() => (fixture.model.abortedRequests() === 1 ? true : undefined));

    const history = await fixture.server.json('GET', `/api/sessions/${sessionId}/history`);
    const last = history.body.data.messages.at(-1);
    expect(last).toMatchObject({ role: 'assistant', status: 'cancelled' });
    expect(last.content.length).toBeGreaterThan(0);
    expect(last.content.length).toBeLessThan('word '.repeat(400).trim().length);
    expect(history.body.data.messages.some((message: any) => message.streaming)).toBe(false);

    const again = await fixture.server.json('POST', `/api/runs/${runId}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('run_not_active');
    // The session takes the next message at once.
    fixture.model.enqueue({ kind: 'text', text: 'Back.' });
    const next = await readSse(await fixture.chat({ message: 'Again', session_id: sessionId }));
    expect(next.at(-1)?.event === 'done' || next.at(-2)?.event === 'done').toBe(true);
  });

  it('records the usage of the model calls a cancelled run had finished', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      {
        kind: 'tool_calls',
        calls: [{ name: 'read_file', args: { path: 'memory/MEMORY.md' } }],
        usage: { prompt_tokens: 40, completion_tokens: 7 },
      },
      { kind: 'text', text: 'x '.repeat(500), chunkSize: 2, delayMs: 10 },
    );
    const stream = streamSse(await fixture.chat({ message: 'Read', session_id: sessionId }));
    const head = await readUntil(stream, (record) => record.event === 'token');
    const runId = head.find((record) => record.event === 'run_start')!.data.run_id;
    expect((await fixture.server.json('POST', `/api/runs/${runId}/cancel`)).status).toBe(200);
    await rest(stream);
    const run = (await fixture.server.json('GET', `/api/runs/${runId}`)).body.data;
    // The finished call as reported (40 + 7), the cut one estimated on top: its prompt and what it had streamed.
    expect(run.usage).toMatchObject({ run_id: runId, estimated: true });
    expect(run.usage.input_tokens).toBeGreaterThan(40);
    expect(run.usage.output_tokens).toBeGreaterThan(7);
    const records = (await fixture.server.json('GET', '/api/usage/records')).body.data.records;
    expect(records.map((record: any) => record.run_id)).toContain(runId);
  });

  it('kills the process group of a 10-second tool call and ends the run', async () => {
    await using fixture = await startChatFixture();
    const put = await fixture.server.json('PUT', '/api/config/runtime', { config: { tool_sandbox: { mode: 'off' } } });
    expect(put.status).toBe(200);
    const sessionId = await fixture.newSession();
    const marker = `sleep 10.${process.pid}${Date.now() % 1000}`;
    fixture.model.enqueue({
      kind: 'tool_calls',
      calls: [{ name: 'terminal', args: { command: `${marker}; echo done` } }],
    });
    const stream = streamSse(await fixture.chat({ message: 'Wait', session_id: sessionId }));
    const head = await readUntil(stream, (record) => record.event === 'tool_start');
    const runId = head.find((record) => record.event === 'run_start')!.data.run_id;
    await waitFor(() => (livePidsWith(marker).length > 0 ? true : undefined));
    const cancel = await fixture.server.json('POST', `/api/runs/${runId}/cancel`);
    expect(cancel.body.data.status).toBe('cancelled');
    await waitFor(() => (livePidsWith(marker).length === 0 ? true : undefined), 1_000);
    const tail = await rest(stream);
    expect(tail.at(-1)).toMatchObject({ event: 'error', data: { code: 'cancelled' } });
    // The model was not asked again after the killed call.
    expect(fixture.model.chatRequests()).toHaveLength(1);
  });

  it('answers a cancelled non-streamed turn with 409 run_cancelled', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'hang' });
    const answer = fixture.server.json('POST', '/api/chat', { message: 'Hang', session_id: sessionId, stream: false });
    await fixture.model.waitForRequests(1);
    const running = (await fixture.server.json('GET', '/api/runs?status=running')).body.data.runs;
    expect(running).toHaveLength(1);
    expect((await fixture.server.json('POST', `/api/runs/${running[0].run_id}/cancel`)).status).toBe(200);
    const { status, body } = await answer;
    expect(status).toBe(409);
    expect(body.error).toMatchObject({ code: 'run_cancelled', details: { run_id: running[0].run_id } });
  });
});

describe('cancelling a cron run', () => {
  it('records the run as cancelled without counting it towards disabling the job', async () => {
    await using fixture = await startChatFixture();
    await fixture.server.json('PUT', '/api/config/runtime', { config: { cron: { max_failures: 1 } } });
    const job = await createJob(fixture.server, { schedule_type: 'every', schedule: '3600' });
    fixture.model.enqueue({ kind: 'hang' });
    const started = await fixture.server.json('POST', `/api/scheduler/cron/jobs/${job.id}/run`);
    expect(started.status).toBe(200);
    await fixture.model.waitForRequests(1);
    const run = await waitFor(async () => {
      const runs = (await fixture.server.json('GET', '/api/runs?status=running')).body.data.runs;
      return runs[0];
    });
    expect(run).toMatchObject({ trigger: 'cron', session_id: job.session_id });
    expect((await fixture.server.json('POST', `/api/runs/${run.run_id}/cancel`)).body.data.status).toBe('cancelled');
    const row = await waitFor(async () =>
      (await cronRuns(fixture.server)).find((entry) => entry.status === 'cancelled'),
    );
    expect(row).toMatchObject({ id: started.body.data.run.id, job_id: job.id, run_id: run.run_id });
    const jobNow = (await fixture.server.json('GET', '/api/scheduler/cron/jobs')).body.data.jobs[0];
    expect(jobNow).toMatchObject({ enabled: true, failure_count: 0 });
    expect((await fixture.server.json('GET', '/api/scheduler/cron/failures')).body.data.failures).toEqual([]);
  });
});
