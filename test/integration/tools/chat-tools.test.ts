import { describe, expect, it } from 'bun:test';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSandbox } from '../../../src/security/sandbox';
import { startChatFixture } from '../../support/chat-fixture';
import { readSse } from '../../support/sse-client';

const hasBwrap = createSandbox().isAvailable();
const offeredTools = (request: any): string[] => (request.body.tools ?? []).map((tool: any) => tool.function.name);
const toolMessages = (request: any): any[] => request.body.messages.filter((message: any) => message.role === 'tool');

describe('tools in a chat turn', () => {
  it('runs a real tool the model calls, streams tool_start/tool_end with its JSON result, and audits it', async () => {
    await using fixture = await startChatFixture();
    const agent = fixture.server.deps.agents.get('default');
    writeFileSync(join(agent.root, 'workspace', 'notes.md'), 'The launch code is 1234.\n');
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'read_file', args: { path: 'workspace/notes.md' } }] },
      { kind: 'text', text: 'The code is 1234.' },
      { kind: 'text', text: 'Launch code' },
    );
    const events = await readSse(await fixture.chat({ message: 'What is in my notes?', session_id: sessionId }));
    const runId = events.find((event) => event.event === 'run_start')!.data.run_id;
    const start = events.find((event) => event.event === 'tool_start')!;
    const end = events.find((event) => event.event === 'tool_end')!;
    expect(start.data).toEqual({ run_id: runId, tool: 'read_file', input: { path: 'workspace/notes.md' } });
    expect(end.data.tool).toBe('read_file');
    expect(JSON.parse(end.data.output)).toEqual({
      ok: true,
      data: { path: 'workspace/notes.md', content: 'The launch code is 1234.\n', truncated: false },
      meta: { tool_name: 'read_file', duration_ms: expect.any(Number), truncated: false, warnings: [] },
      error: null,
    });
    expect(events.findIndex((event) => event.event === 'tool_start')).toBeLessThan(
      events.findIndex((event) => event.event === 'tool_end'),
    );
    expect(events.find((event) => event.event === 'done')!.data.content).toBe('The code is 1234.');
    const [first, second] = fixture.model.chatRequests();
    expect(offeredTools(first)).toEqual(
      expect.arrayContaining([
        'terminal',
        'exec',
        'fetch_url',
        'web_fetch',
        'read_file',
        'read',
        'read_files',
        'apply_patch',
        'web_search',
        'search_knowledge_base',
        'search_memory',
        'sessions_list',
        'session_history',
      ]),
    );
    expect(JSON.parse(toolMessages(second)[0].content).data.content).toBe('The launch code is 1234.\n');
    const audit = await agent.storage.toolAudit.list({ runId });
    expect(audit.map((row) => [row.toolName, row.outcome, row.sessionId, row.triggerType])).toEqual([
      ['read_file', 'ok', sessionId, 'chat'],
    ]);
  });

  it('does not offer terminal to a cron turn and refuses the call when the model makes it anyway', async () => {
    await using fixture = await startChatFixture();
    const agent = fixture.server.deps.agents.get('default');
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'terminal', args: { command: 'touch workspace/cron-was-here' } }] },
      { kind: 'text', text: 'Could not.' },
    );
    const { result } = await fixture.server.deps.chat.runOnce('default', sessionId, 'scheduled job', {
      trigger: 'cron',
      skipTitle: true,
    });
    expect(result.content).toBe('Could not.');
    const [first, second] = fixture.model.chatRequests();
    expect(offeredTools(first).sort()).toEqual([
      'fetch_url',
      'read',
      'read_file',
      'read_files',
      'search_knowledge_base',
      'web_fetch',
      'web_search',
    ]);
    const refusal = JSON.parse(toolMessages(second)[0].content);
    expect(refusal.error).toEqual({
      code: 'E_POLICY_DENIED',
      message: "Tool 'terminal' is not in autonomous_tools.cron_enabled_tools",
      retryable: false,
      details: { rule: 'not_allowlisted', trigger: 'cron' },
    });
    expect(existsSync(join(agent.root, 'workspace', 'cron-was-here'))).toBe(false);
    const audit = await agent.storage.toolAudit.list({ runId: result.runId });
    expect(audit.map((row) => [row.toolName, row.outcome, row.errorCode, row.triggerType])).toEqual([
      ['terminal', 'denied', 'E_POLICY_DENIED', 'cron'],
    ]);
  });

  it.skipIf(!hasBwrap)('lets a cron turn use terminal once cron_enabled_tools lists it (sandboxed)', async () => {
    await using fixture = await startChatFixture();
    const agent = fixture.server.deps.agents.get('default');
    const put = await fixture.server.json('PUT', '/api/config/runtime', {
      config: { autonomous_tools: { cron_enabled_tools: ['terminal'] } },
    });
    expect(put.status).toBe(200);
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'terminal', args: { command: 'touch workspace/cron-was-here' } }] },
      { kind: 'text', text: 'Done.' },
    );
    await fixture.server.deps.chat.runOnce('default', sessionId, 'scheduled job', { trigger: 'cron', skipTitle: true });
    expect(offeredTools(fixture.model.chatRequests()[0])).toEqual(['terminal', 'exec']);
    const output = JSON.parse(toolMessages(fixture.model.chatRequests()[1])[0].content);
    expect(output.data).toEqual(expect.objectContaining({ exit_code: 0, sandboxed: true }));
    expect(existsSync(join(agent.root, 'workspace', 'cron-was-here'))).toBe(true);
  });
});
