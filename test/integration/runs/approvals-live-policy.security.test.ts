// A call held for approval runs under the tool policy in force when it runs, not the one its turn began with.
import { describe, expect, it } from 'bun:test';
import { MAX_TOOL_ARGUMENTS_CHARS } from '../../../src/tools';
import { approvalFixture, pausedTurn } from '../../support/approval-fixture';
import { readStreamRest as rest, readStreamUntil as until, streamSse } from '../../support/sse-client';

describe('tool approvals and the live tool policy', () => {
  it('refuses an approved call whose tool the operator blocked while it waited, and audits the refusal', async () => {
    await using fixture = await approvalFixture();
    const { stream, head, approval } = await pausedTurn(fixture);
    const runId = head[0]!.data.run_id;
    // The operator reacts to the pending call by blocking the tool outright.
    const blocked = await fixture.server.json('PUT', '/api/config/runtime', {
      config: { tool_approvals: { chat: ['read'], cron: ['L0'] }, autonomous_tools: { chat_blocked_tools: ['read'] } },
    });
    expect(blocked.status).toBe(200);
    const decided = await fixture.server.json('POST', `/api/approvals/${approval.approval_id}`, {
      decision: 'approve',
    });
    expect(decided.status).toBe(200);
    const tail = await rest(stream);
    const output = JSON.parse(tail.find((record) => record.event === 'tool_end')!.data.output);
    expect({ ok: output.ok, code: output.error?.code, rule: output.error?.details?.rule }).toEqual({
      ok: false,
      code: 'E_POLICY_DENIED',
      rule: 'chat_blocked',
    });
    const audit = await fixture.server.deps.agents.get('default').storage.toolAudit.list({ runId });
    expect(audit.map((row) => [row.toolName, row.outcome, row.errorCode])).toEqual([
      ['read_file', 'ok', 'approval_approved'],
      ['read_file', 'denied', 'E_POLICY_DENIED'],
    ]);
  });

  it('holds a call for approval when the operator lists its tool after the turn began', async () => {
    await using fixture = await approvalFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'read_file', args: { path: 'workspace/a.md' } }] },
      { kind: 'tool_calls', calls: [{ name: 'sessions_list', args: {} }] },
      { kind: 'text', text: 'Listed.' },
    );
    const stream = streamSse(await fixture.chat({ message: 'Read, then list', session_id: sessionId }));
    const first = (await until(stream, 'approval_required')).at(-1)!.data;
    // While the first call waits, the operator has sessions_list held for approval too.
    const listed = await fixture.server.json('PUT', '/api/config/runtime', {
      config: { tool_approvals: { chat: ['read', 'sessions_list'], cron: ['L0'] } },
    });
    expect(listed.status).toBe(200);
    await fixture.server.json('POST', `/api/approvals/${first.approval_id}`, { decision: 'approve' });
    const second = (await until(stream, 'approval_required')).at(-1)!.data;
    expect(second.tool).toBe('sessions_list');
    await fixture.server.json('POST', `/api/approvals/${second.approval_id}`, { decision: 'reject' });
    const tail = await rest(stream);
    const output = JSON.parse(tail.find((record) => record.event === 'tool_end')!.data.output);
    expect(output.error.code).toBe('E_APPROVAL_REJECTED');
  });

  it('refuses at once, asking no one, a call whose tool is listed for approval but blocked outright', async () => {
    await using fixture = await approvalFixture();
    const blocked = await fixture.server.json('PUT', '/api/config/runtime', {
      config: { tool_approvals: { chat: ['read'], cron: ['L0'] }, autonomous_tools: { chat_blocked_tools: ['read'] } },
    });
    expect(blocked.status).toBe(200);
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'read_file', args: { path: 'workspace/a.md' } }] },
      { kind: 'text', text: 'Could not read it.' },
    );
    const events = await rest(streamSse(await fixture.chat({ message: 'Read it', session_id: sessionId })));
    expect(events.map((record) => record.event)).not.toContain('approval_required');
    const output = JSON.parse(events.find((record) => record.event === 'tool_end')!.data.output);
    expect({ code: output.error?.code, rule: output.error?.details?.rule }).toEqual({
      code: 'E_POLICY_DENIED',
      rule: 'chat_blocked',
    });
    expect((await fixture.server.json('GET', '/api/approvals?status=pending')).body.data.approvals).toEqual([]);
  });

  it('refuses at once, asking no one, a call to a tool listed for approval whose arguments are too large', async () => {
    await using fixture = await approvalFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'read_file', args: { path: 'x'.repeat(5 * 1024 * 1024) } }] },
      { kind: 'text', text: 'Too large.' },
    );
    const stream = streamSse(await fixture.chat({ message: 'Read it', session_id: sessionId }));
    const head = await until(stream, (record) => ['approval_required', 'tool_end'].includes(record.event));
    expect(head.at(-1)!.event).toBe('tool_end');
    const output = JSON.parse(head.at(-1)!.data.output);
    expect({ code: output.error?.code, max: output.error?.details?.max_chars }).toEqual({
      code: 'E_INVALID_ARGS',
      max: MAX_TOOL_ARGUMENTS_CHARS,
    });
    await rest(stream);
    expect((await fixture.server.json('GET', '/api/approvals?status=pending')).body.data.approvals).toEqual([]);
  });
});
