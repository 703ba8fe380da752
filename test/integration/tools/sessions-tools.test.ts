import { describe, expect, it } from 'bun:test';
import { createToolHarness } from '../../support/tool-harness';

describe('sessions_list and session_history', () => {
  it("lists the agent's sessions and reads one, capped; unknown sessions are E_NOT_FOUND", async () => {
    using harness = createToolHarness();
    await harness.sessions.create('Second', 'session-2');
    await harness.sessions.append('session-2', [
      { role: 'user', content: 'hello there' },
      { role: 'assistant', content: 'x'.repeat(300), toolCalls: [{ tool: 'read_file', input: { path: 'a' } }] },
    ]);
    const list = await harness.call('sessions_list', {});
    expect(list.data.sessions.map((session: any) => [session.session_id, session.title, session.current])).toEqual(
      expect.arrayContaining([
        ['session-1', 'Harness session', true],
        ['session-2', 'Second', false],
      ]),
    );
    const history = await harness.call('session_history', { session_id: 'session-2', max_chars: 100 });
    expect(
      history.data.messages.map((message: any) => [message.role, message.content.length, message.tools_used]),
    ).toEqual([
      ['user', 11, undefined],
      ['assistant', 100 + '\n...[truncated]'.length, ['read_file']],
    ]);
    expect(history.meta.truncated).toBe(true);
    expect((await harness.call('session_history', { session_id: 'nope' })).error?.code).toBe('E_NOT_FOUND');
  });
});
