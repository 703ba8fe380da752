// tool_approvals: a listed tool call pauses its run (approval_required) until POST /api/approvals/{id} decides it.
import { describe, expect, it } from 'bun:test';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { approvalFixture, pausedTurn } from '../../support/approval-fixture';
import { startChatFixture, type ChatFixture } from '../../support/chat-fixture';
import type { ScriptStep } from '../../support/fake-openai-server';
import { waitFor } from '../../support/scheduler-fixture';
import { readStreamRest as rest, readStreamUntil as until, streamSse } from '../../support/sse-client';

const toolMessage = (fixture: ChatFixture) =>
  fixture.model.chatRequests()[1]!.body.messages.find((message: any) => message.role === 'tool').content;

describe('tool approvals', () => {
  it('pauses the run, lists the approval, and resumes the same run and stream once approved', async () => {
    await using fixture = await approvalFixture();
    const { stream, head, approval } = await pausedTurn(fixture);
    const runId = head[0]!.data.run_id;
    expect(approval).toEqual({
      approval_id: expect.any(String),
      run_id: runId,
      tool: 'read_file',
      args: { path: 'workspace/a.md' },
      permission_level: 'L0',
      expires_at: expect.any(Number),
    });
    expect(fixture.model.chatRequests()).toHaveLength(1);
    const run = (await fixture.server.json('GET', `/api/runs/${runId}`)).body.data;
    expect(run).toMatchObject({ status: 'waiting_approval', approval_ids: [approval.approval_id] });
    const pending = (await fixture.server.json('GET', '/api/approvals?status=pending')).body.data.approvals;
    expect(pending).toEqual([
      expect.objectContaining({ approval_id: approval.approval_id, status: 'pending', run_id: runId }),
    ]);

    const decided = await fixture.server.json('POST', `/api/approvals/${approval.approval_id}`, {
      decision: 'approve',
      reason: 'looks fine',
    });
    expect(decided.status).toBe(200);
    expect(decided.body.data).toMatchObject({ status: 'approved', decided_by: 'api', reason: 'looks fine' });
    const tail = await rest(stream);
    expect(JSON.parse(tail.find((record) => record.event === 'tool_end')!.data.output).data.content).toBe('alpha\n');
    expect(tail.at(-1)!.event === 'done' || tail.at(-2)!.event === 'done').toBe(true);
    expect(tail.every((record) => !record.id || record.id.startsWith(`${runId}:`))).toBe(true);
    expect((await fixture.server.json('GET', `/api/runs/${runId}`)).body.data.status).toBe('completed');

    const again = await fixture.server.json('POST', `/api/approvals/${approval.approval_id}`, { decision: 'reject' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'approval_not_pending', details: { status: 'approved' } });
    const audit = await fixture.server.deps.agents.get('default').storage.toolAudit.list({ runId });
    expect(audit.map((row) => [row.toolName, row.outcome, row.errorCode, row.reason])).toEqual([
      ['read_file', 'ok', 'approval_approved', 'approved by api: looks fine'],
      ['read_file', 'ok', null, null],
    ]);
  });

  it('rejects with a tool result that says why, and runs an edited call with its checked new arguments', async () => {
    await using fixture = await approvalFixture();
    const first = await pausedTurn(fixture);
    await fixture.server.json('POST', `/api/approvals/${first.approval.approval_id}`, {
      decision: 'reject',
      reason: 'not that file',
    });
    const tail = await rest(first.stream);
    const result = JSON.parse(tail.find((record) => record.event === 'tool_end')!.data.output);
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'E_APPROVAL_REJECTED', details: { reason: 'not that file' } },
    });
    expect(JSON.parse(toolMessage(fixture)).error.message).toContain('not that file');

    const second = await pausedTurn(fixture);
    const id = second.approval.approval_id;
    // A key the tool does not take: the runner would refuse the call unrun, so the edit is refused now.
    for (const args of [undefined, { path: 42 }, { nothing: true }, { path: 'workspace/b.md', dry_run: true }]) {
      const bad = await fixture.server.json('POST', `/api/approvals/${id}`, { decision: 'edit', args });
      expect({ args, status: bad.status, code: bad.body.error?.code }).toEqual({
        args,
        status: 422,
        code: 'validation_error',
      });
    }
    expect((await fixture.server.json('POST', `/api/approvals/${id}`, { decision: 'maybe' })).status).toBe(422);
    const edited = await fixture.server.json('POST', `/api/approvals/${id}`, {
      decision: 'edit',
      args: { path: 'workspace/b.md' },
    });
    expect(edited.body.data).toMatchObject({ status: 'edited', edited_args: { path: 'workspace/b.md' } });
    const secondTail = await rest(second.stream);
    expect(JSON.parse(secondTail.find((record) => record.event === 'tool_end')!.data.output).data.content).toBe(
      'beta\n',
    );
    expect((await fixture.server.json('POST', '/api/approvals/unknown', { decision: 'approve' })).status).toBe(404);
  });

  it('refuses a call at once, its run going on, while max_pending calls of the agent already wait', async () => {
    await using fixture = await approvalFixture({ max_pending: 1 });
    const readCall = (path: string): ScriptStep => ({
      kind: 'tool_calls',
      calls: [{ name: 'read_file', args: { path } }],
    });
    fixture.model.enqueue(readCall('workspace/a.md'));
    const first = streamSse(await fixture.chat({ message: 'Read a', session_id: await fixture.newSession() }));
    const approval = (await until(first, 'approval_required')).at(-1)!.data;
    // A second run's call would wait too: it is refused instead, stored nowhere, and the turn finishes.
    fixture.model.enqueue(readCall('workspace/b.md'), { kind: 'text', text: 'Could not read.' });
    const events = await rest(
      streamSse(await fixture.chat({ message: 'Read b', session_id: await fixture.newSession() })),
    );
    expect(events.some((record) => record.event === 'approval_required')).toBe(false);
    const result = JSON.parse(events.find((record) => record.event === 'tool_end')!.data.output);
    expect(result.error).toMatchObject({ code: 'E_APPROVAL_REJECTED', details: { status: 'rejected' } });
    expect(result.error.message).toContain('tool_approvals.max_pending');
    expect(events.some((record) => record.event === 'done')).toBe(true);
    const pending = await fixture.server.json('GET', '/api/approvals?status=pending');
    expect(pending.body.data.approvals.map((row: { approval_id: string }) => row.approval_id)).toEqual([
      approval.approval_id,
    ]);
    // Once the first is decided, a call may wait again.
    fixture.model.enqueue({ kind: 'text', text: 'Read.' });
    await fixture.server.json('POST', `/api/approvals/${approval.approval_id}`, { decision: 'approve' });
    expect((await rest(first)).some((record) => record.event === 'done')).toBe(true);
    expect((await pausedTurn(fixture)).approval.tool).toBe('read_file');
  });

  it('expires an undecided approval after timeout_seconds, and cancels one whose run is cancelled', async () => {
    await using fixture = await approvalFixture({ timeout_seconds: 1 });
    const first = await pausedTurn(fixture);
    const tail = await rest(first.stream);
    expect(JSON.parse(tail.find((record) => record.event === 'tool_end')!.data.output).error.details.status).toBe(
      'expired',
    );
    const expired = (await fixture.server.json('GET', '/api/approvals')).body.data.approvals[0];
    expect(expired).toMatchObject({ status: 'expired', decided_by: 'timeout' });
    expect(
      (await fixture.server.json('POST', `/api/approvals/${expired.approval_id}`, { decision: 'approve' })).status,
    ).toBe(409);

    await fixture.server.json('PUT', '/api/config/runtime', { config: { tool_approvals: { timeout_seconds: 3600 } } });
    const second = await pausedTurn(fixture);
    const runId = second.head[0]!.data.run_id;
    expect((await fixture.server.json('POST', `/api/runs/${runId}/cancel`)).body.data.status).toBe('cancelled');
    expect((await rest(second.stream)).at(-1)).toMatchObject({ event: 'error', data: { code: 'cancelled' } });
    const cancelled = await fixture.server.json('GET', `/api/approvals?status=cancelled`);
    expect(cancelled.body.data.approvals).toEqual([
      expect.objectContaining({ approval_id: second.approval.approval_id, decided_by: 'run' }),
    ]);
  });

  it('lists a cron run that waits as waiting_approval', async () => {
    await using fixture = await approvalFixture({}, undefined);
    await fixture.server.json('PUT', '/api/config/runtime', {
      config: { autonomous_tools: { cron_enabled_tools: ['read_file'] } },
    });
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'read_file', args: { path: 'workspace/a.md' } }] },
      { kind: 'text', text: 'ok' },
    );
    const turn = fixture.server.deps.chat.runOnce('default', sessionId, 'job', { trigger: 'cron', skipTitle: true });
    const run = await waitFor(
      async () => (await fixture.server.json('GET', '/api/runs?status=waiting_approval')).body.data.runs[0],
    );
    expect(run).toMatchObject({ trigger: 'cron', session_id: sessionId });
    const approval = (await fixture.server.json('GET', '/api/approvals?status=pending')).body.data.approvals[0];
    expect(approval).toMatchObject({ trigger: 'cron', run_id: run.run_id });
    await fixture.server.json('POST', `/api/approvals/${approval.approval_id}`, { decision: 'approve' });
    expect((await turn).result.content).toBe('ok');
  });

  it('tells a scheduled turn once that it waits and once that it goes on, when two calls of a step wait together', async () => {
    await using fixture = await approvalFixture({}, undefined);
    const sessionId = await fixture.newSession();
    const read = (path: string) => ({ name: 'read_file', args: { path } });
    fixture.model.enqueue(
      { kind: 'tool_calls', calls: [read('workspace/a.md'), read('workspace/b.md')] },
      { kind: 'text', text: 'ok' },
    );
    const told: boolean[] = [];
    const turn = fixture.server.deps.chat.runOnce('default', sessionId, 'job', {
      skipTitle: true,
      onApprovalWait: (waiting) => void told.push(waiting),
    });
    const pending = await waitFor(async () => {
      const approvals = (await fixture.server.json('GET', '/api/approvals?status=pending')).body.data.approvals;
      return approvals.length === 2 && told.length > 0 ? approvals : undefined;
    }, 3000);
    expect(told).toEqual([true]);
    for (const approval of pending)
      await fixture.server.json('POST', `/api/approvals/${approval.approval_id}`, { decision: 'approve' });
    expect((await turn).result.content).toBe('ok');
    expect(told).toEqual([true, false]);
  });

  it('ends the wait when the agent is deleted, so its folder goes at once', async () => {
    await using fixture = await startChatFixture();
    expect((await fixture.server.json('POST', '/api/agents', { agent_id: 'doomed' })).status).toBe(200);
    await fixture.server.json('PUT', '/api/config/runtime?agent_id=doomed', {
      config: { tool_approvals: { chat: ['read_file'] } },
    });
    const sessionId = await fixture.newSession('doomed');
    fixture.model.enqueue({ kind: 'tool_calls', calls: [{ name: 'read_file', args: { path: 'memory/MEMORY.md' } }] });
    const stream = streamSse(await fixture.chat({ agent_id: 'doomed', session_id: sessionId, message: 'Read' }));
    await until(stream, 'approval_required');
    expect((await fixture.server.json('DELETE', '/api/agents/doomed')).status).toBe(200);
    expect((await rest(stream)).at(-1)).toMatchObject({ event: 'error', data: { code: 'agent_deleted' } });
    const workspaces = join(fixture.server.dataDir, 'workspaces');
    await waitFor(() => (readdirSync(workspaces).some((name) => name.startsWith('.deleting-')) ? undefined : true));
  });
});
