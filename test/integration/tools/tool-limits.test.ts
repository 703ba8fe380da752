// Limits of the tool loop seen through a real turn: oversized arguments, identical parallel calls and the retry guard.
import { describe, expect, it } from 'bun:test';
import { z } from 'zod';
import { failure, MAX_TOOL_ARGUMENTS_CHARS, success, type ToolDefinition } from '../../../src/tools';
import { startChatFixture } from '../../support/chat-fixture';
import { readSse } from '../../support/sse-client';

describe('the tool loop', () => {
  it('refuses a call with arguments over 256 KiB unrun, and shows, stores and sends them back cut, with a marker', async () => {
    let runs = 0;
    const note: ToolDefinition<{ text: string }> = {
      name: 'note',
      description: 'Takes a note.',
      level: 0,
      schema: z.object({ text: z.string() }),
      run: async () => {
        runs += 1;
        return success({ noted: true });
      },
    };
    await using fixture = await startChatFixture({ overrides: { toolDefinitions: [note] } });
    const sessionId = await fixture.newSession();
    const huge = 'x'.repeat(5 * 1024 * 1024);
    fixture.model.enqueue(
      {
        kind: 'tool_calls',
        calls: [
          { name: 'note', args: { text: huge }, id: 'call_big' },
          { name: 'note', args: { text: 'small' }, id: 'call_small' },
        ],
      },
      { kind: 'text', text: 'Too large, I see.' },
      { kind: 'text', text: 'Notes' },
      { kind: 'text', text: 'Again.' },
    );
    const events = await readSse(await fixture.chat({ message: 'note this', session_id: sessionId }));
    const chars = JSON.stringify({ text: huge }).length;
    const marker = {
      __oversized_arguments__: {
        chars,
        max_chars: MAX_TOOL_ARGUMENTS_CHARS,
        preview: `{"text":"${'x'.repeat(991)}…[truncated]`,
      },
    };
    const starts = events.filter((event) => event.event === 'tool_start').map((event) => event.data.input);
    expect(starts).toEqual([marker, { text: 'small' }]);
    const results = events.filter((event) => event.event === 'tool_end').map((event) => JSON.parse(event.data.output));
    expect(results.map((result) => result.error)).toEqual([
      {
        code: 'E_INVALID_ARGS',
        message: `Invalid arguments for note: ${chars} characters of JSON, over the limit of 262144; the call was not run. Send smaller arguments (split the work into several calls)`,
        retryable: false,
        details: { chars, max_chars: MAX_TOOL_ARGUMENTS_CHARS },
      },
      null,
    ]);
    expect(runs).toBe(1);
    expect(events.at(-2)!.event).toBe('done');
    // The next model call: each call answered under its own id, the large one's arguments as the marker.
    const next = fixture.model.chatRequests()[1]!.body.messages as any[];
    const step = next.find((message) => message.role === 'assistant');
    expect(step.tool_calls.map((call: any) => [call.id, JSON.parse(call.function.arguments)])).toEqual([
      ['call_big', marker],
      ['call_small', { text: 'small' }],
    ]);
    expect(next.filter((message) => message.role === 'tool').map((message) => message.tool_call_id)).toEqual([
      'call_big',
      'call_small',
    ]);
    expect(JSON.stringify(next).length).toBeLessThan(20_000);
    // Stored and audited as the marker; the next turn's history sent to the model is small too.
    const history = (await fixture.server.json('GET', `/api/sessions/${sessionId}/history`)).body.data.messages;
    expect(history[1].tool_calls.map((call: any) => call.input)).toEqual([marker, { text: 'small' }]);
    const runId = events[0]!.data.run_id;
    const audit = await fixture.server.deps.agents.get('default').storage.toolAudit.list({ runId });
    expect(audit.map((row) => row.arguments)).toContainEqual(marker);
    await readSse(await fixture.chat({ message: 'again', session_id: sessionId }));
    expect(JSON.stringify(fixture.model.chatRequests().at(-1)!.body).length).toBeLessThan(20_000);
  });

  it('cuts the raw text of an oversized call that is not even JSON the same way', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    const raw = `{path: ${'y'.repeat(5 * 1024 * 1024)}, oops`;
    fixture.model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'read_file', args: raw, id: 'call_broken' }] },
      { kind: 'text', text: 'Broken.' },
      { kind: 'text', text: 'Broken' },
    );
    const events = await readSse(await fixture.chat({ message: 'read it', session_id: sessionId }));
    const input = events.find((event) => event.event === 'tool_start')!.data.input;
    expect(input.__oversized_arguments__.chars).toBe(JSON.stringify({ __unparsed_arguments__: raw }).length);
    expect(JSON.stringify(input).length).toBeLessThan(2000);
    const output = JSON.parse(events.find((event) => event.event === 'tool_end')!.data.output);
    expect(output.error.code).toBe('E_INVALID_ARGS');
    expect(output.error.message).toContain('over the limit of 262144; the call was not run');
    const next = fixture.model.chatRequests()[1]!.body.messages as any[];
    expect(next.find((message) => message.role === 'tool').tool_call_id).toBe('call_broken');
    expect(JSON.stringify(next).length).toBeLessThan(20_000);
  });

  it('refuses a call whose arguments nest past 64 levels unrun, as a marker, and the turn ends with done', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    // 30 KB of brackets: the walks over arguments (SSE JSON, retry digest) recursed and overflowed the stack.
    const raw = `{"path":${'['.repeat(15_000)}${']'.repeat(15_000)}}`;
    fixture.model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'read_file', args: raw, id: 'call_deep' }] },
      { kind: 'text', text: 'Too deep.' },
      { kind: 'text', text: 'Deep' },
    );
    const events = await readSse(await fixture.chat({ message: 'read it', session_id: sessionId }));
    expect(events.map((event) => event.event)).toContain('done');
    const input = events.find((event) => event.event === 'tool_start')!.data.input;
    const preview = `{"path":${'['.repeat(63)}"…"${']'.repeat(63)}}`;
    expect(input).toEqual({ __oversized_arguments__: { max_depth: 64, preview } });
    const output = JSON.parse(events.find((event) => event.event === 'tool_end')!.data.output);
    expect(output.error).toEqual({
      code: 'E_INVALID_ARGS',
      message:
        'Invalid arguments for read_file: they nest deeper than 64 levels; the call was not run. Send flatter arguments',
      retryable: false,
      details: { max_depth: 64 },
    });
    const next = fixture.model.chatRequests()[1]!.body.messages as any[];
    expect(next.find((message) => message.role === 'tool').tool_call_id).toBe('call_deep');
    expect(JSON.stringify(next).length).toBeLessThan(20_000);
  });

  it('runs identical failing calls of one step only up to the retry guard; the rest are refused unrun', async () => {
    const twoStarted = Promise.withResolvers<void>();
    const release = Promise.withResolvers<void>();
    let started = 0;
    // Fails once released: every call of the step is under way before any failure is known.
    const flaky: ToolDefinition<{ command: string }> = {
      name: 'flaky',
      description: 'Fails.',
      level: 0,
      schema: z.object({ command: z.string() }),
      run: async () => {
        if (++started === 2) twoStarted.resolve();
        await release.promise;
        return failure('E_EXEC', 'it failed');
      },
    };
    await using fixture = await startChatFixture({ overrides: { toolDefinitions: [flaky] } });
    const sessionId = await fixture.newSession();
    const call = { name: 'flaky', args: { command: 'rm x' } };
    fixture.model.enqueue(
      { kind: 'tool_calls', calls: [call, call, call, call] },
      { kind: 'text', text: 'It keeps failing.' },
      { kind: 'text', text: 'Failures' },
    );
    const answer = fixture.chat({ message: 'try it', session_id: sessionId });
    await twoStarted.promise;
    release.resolve();
    const events = await readSse(await answer);
    const errors = events
      .filter((event) => event.event === 'tool_end')
      .map((event) => JSON.parse(event.data.output).error);
    // The default tool_retry_guard.repeat_identical_failure_limit is 2.
    expect(errors.map((error) => [error.code, error.details.rule ?? null]).sort()).toEqual([
      ['E_EXEC', null],
      ['E_EXEC', null],
      ['E_POLICY_DENIED', 'retry_guard'],
      ['E_POLICY_DENIED', 'retry_guard'],
    ]);
    expect(started).toBe(2);
    expect(events.at(-2)!.event).toBe('done');
    const runId = events[0]!.data.run_id;
    const audit = await fixture.server.deps.agents.get('default').storage.toolAudit.list({ runId });
    expect(audit.map((row) => row.outcome).sort()).toEqual(['denied', 'denied', 'error', 'error']);
  });
});
