// Limits of the tool loop seen through a real turn: identical parallel calls and the retry guard.
import { describe, expect, it } from 'bun:test';
import { z } from 'zod';
import { failure, type ToolDefinition } from '../../../src/tools';
import { startChatFixture } from '../../support/chat-fixture';
import { readSse } from '../../support/sse-client';

describe('the tool loop', () => {
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
