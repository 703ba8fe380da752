import { describe, expect, it } from 'bun:test';
import { startChatFixture } from '../../support/chat-fixture';
import { readSse } from '../../support/sse-client';
import { echoTool } from '../../support/test-tools';

/** The last message of a model request, as the fake model received it. */
const lastMessage = (body: any) => body.messages.at(-1) as { role: string; content: unknown };

describe('one compiled agent graph shared by concurrent turns', () => {
  it('keeps every turn to its own prompt, tool calls, audit rows and reply', async () => {
    await using fixture = await startChatFixture({ overrides: { toolDefinitions: [echoTool] } });
    // Each turn asks for one echo of its own message, then answers with what the tool gave back.
    fixture.model.setFallback((body) => {
      if (!body.stream) return { kind: 'text', text: 'Title' };
      const last = lastMessage(body);
      if (last.role === 'user')
        return { kind: 'tool_calls', calls: [{ name: 'echo', args: { text: String(last.content) } }] };
      const result = JSON.parse(String(last.content));
      return { kind: 'text', text: `tool said ${result.data.echoed}`, chunkSize: 3, delayMs: 1 };
    });
    const turns = await Promise.all(
      Array.from({ length: 12 }, async (_, index) => {
        const sessionId = await fixture.newSession();
        const events = await readSse(await fixture.chat({ message: `turn-${index}`, session_id: sessionId }));
        return { index, sessionId, events };
      }),
    );
    const agent = fixture.server.deps.agents.get('default');
    const audit = await agent.storage.toolAudit.list();
    expect(audit).toHaveLength(12);
    for (const { index, sessionId, events } of turns) {
      const done = events.find((event) => event.event === 'done')!.data;
      expect(done.content).toBe(`tool said turn-${index}`);
      const runId = events[0]!.data.run_id;
      const rows = audit.filter((row) => row.runId === runId);
      expect(rows.map((row) => [row.sessionId, row.toolName, row.arguments, row.outcome])).toEqual([
        [sessionId, 'echo', { text: `turn-${index}` }, 'ok'],
      ]);
    }
    // Every model request carried its own turn's system prompt and message, once.
    const streamed = fixture.model.chatRequests().filter((request) => request.body.stream);
    expect(streamed).toHaveLength(24);
    for (const request of streamed) {
      const messages = request.body.messages as { role: string }[];
      expect(messages.filter((message) => message.role === 'system')).toHaveLength(1);
      expect(messages.filter((message) => message.role === 'user')).toHaveLength(1);
    }
  });
});
