// A call to a tool held for approval that can only fail (arguments not JSON, not an object, or off the tool's
// schema) is refused unrun and audited, asking no one; a valid call of the same step still waits for a person.
import { describe, expect, it } from 'bun:test';
import { approvalFixture } from '../../support/approval-fixture';
import { type SseRecord, streamSse } from '../../support/sse-client';

describe('tool approvals and malformed calls', () => {
  it('asks a person only about the valid call of a step whose other calls have malformed arguments', async () => {
    await using fixture = await approvalFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      {
        kind: 'tool_calls',
        calls: [
          // Not JSON, and JSON that is not an object: LangChain hands both over as invalid_tool_calls.
          { name: 'read_file', args: '{path: workspace/a.md', id: 'call_text' },
          { name: 'read_file', args: '["workspace/a.md"]', id: 'call_array' },
          // JSON objects the tool's schema refuses: a wrong type, a key it does not take.
          { name: 'read_file', args: { path: 42 }, id: 'call_type' },
          { name: 'read_file', args: { file: 'workspace/a.md' }, id: 'call_key' },
          { name: 'read_file', args: { path: 'workspace/a.md' }, id: 'call_valid' },
        ],
      },
      { kind: 'text', text: 'Read one of them.' },
    );
    const events: SseRecord[] = [];
    const asked: unknown[] = [];
    for await (const record of streamSse(await fixture.chat({ message: 'Read it', session_id: sessionId }))) {
      events.push(record);
      if (record.event !== 'approval_required') continue;
      asked.push(record.data.args);
      // Whatever is put to a person is approved, so the turn ends however many calls wait.
      await fixture.server.json('POST', `/api/approvals/${record.data.approval_id}`, { decision: 'approve' });
    }
    expect(asked).toEqual([{ path: 'workspace/a.md' }]);
    expect(events.at(-2)!.event).toBe('done');
    // The model hears each call's result under its own id: the malformed ones refused, the valid one run.
    const results = (fixture.model.chatRequests()[1]!.body.messages as any[])
      .filter((message) => message.role === 'tool')
      .map((message) => [message.tool_call_id, JSON.parse(message.content).error?.code ?? 'ok']);
    expect(results.sort()).toEqual([
      ['call_array', 'E_INVALID_ARGS'],
      ['call_key', 'E_INVALID_ARGS'],
      ['call_text', 'E_INVALID_ARGS'],
      ['call_type', 'E_INVALID_ARGS'],
      ['call_valid', 'ok'],
    ]);
    const runId = events[0]!.data.run_id;
    const audit = await fixture.server.deps.agents.get('default').storage.toolAudit.list({ runId });
    expect(audit.map((row) => [row.outcome, row.errorCode]).sort()).toEqual([
      ['error', 'E_INVALID_ARGS'],
      ['error', 'E_INVALID_ARGS'],
      ['error', 'E_INVALID_ARGS'],
      ['error', 'E_INVALID_ARGS'],
      ['ok', null],
      ['ok', 'approval_approved'],
    ]);
    const approvals = (await fixture.server.json('GET', '/api/approvals')).body.data.approvals;
    expect(approvals.map((row: any) => row.args)).toEqual([{ path: 'workspace/a.md' }]);
  });
});
