// A run paused for approvals survives a restart: it still waits, then goes on in the same run id once decided.
import { Database } from 'bun:sqlite';
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { approvalFixture, pausedTurn } from '../../support/approval-fixture';
import type { ChatFixture } from '../../support/chat-fixture';
import { heartbeatRuns, waitFor } from '../../support/scheduler-fixture';
import { readSse, readStreamUntil as until, streamSse } from '../../support/sse-client';
import { makeTempDir } from '../../support/temp-dir';

interface Paused {
  runId: string;
  sessionId: string;
  approvalId: string;
  /** The sequence number of the last event heard before the restart. */
  lastSeq: number;
}

/** Pauses a turn on read_file, drops its stream, and stops the server (the run still waiting). */
async function pauseThenStop(dataDir: string, extra: Record<string, unknown> = {}): Promise<Paused> {
  await using fixture = await approvalFixture(extra, dataDir);
  const paused = await pausedTurn(fixture);
  await paused.stream.return(undefined);
  const last = paused.head.at(-1)!;
  return {
    runId: paused.head[0]!.data.run_id,
    sessionId: paused.sessionId,
    approvalId: paused.approval.approval_id,
    lastSeq: Number(last.id!.split(':')[1]),
  };
}

const run = async (fixture: ChatFixture, runId: string) =>
  (await fixture.server.json('GET', `/api/runs/${runId}`)).body.data;
const approval = async (fixture: ChatFixture, approvalId: string) =>
  (await fixture.server.json('GET', '/api/approvals')).body.data.approvals.find(
    (row: any) => row.approval_id === approvalId,
  );
const history = async (fixture: ChatFixture, sessionId: string) =>
  (await fixture.server.json('GET', `/api/sessions/${sessionId}/history`)).body.data.messages as any[];
const toolResult = (fixture: ChatFixture) =>
  JSON.parse(
    fixture.model
      .chatRequests()
      .at(-1)!
      .body.messages.findLast((message: any) => message.role === 'tool').content,
  );

describe('a paused run across a restart', () => {
  it('still waits after the restart, then runs the approved call and completes in the same run id', async () => {
    using data = makeTempDir('moc-paused-');
    const paused = await pauseThenStop(data.path);
    await using restarted = await approvalFixture({}, data.path);
    expect(await run(restarted, paused.runId)).toMatchObject({
      status: 'waiting_approval',
      approval_ids: [paused.approvalId],
    });
    expect(await approval(restarted, paused.approvalId)).toMatchObject({ status: 'pending', decided_by: null });
    // The session is still taken by the paused run.
    const busy = await restarted.chat({ message: 'other', session_id: paused.sessionId });
    expect(busy.status).toBe(409);

    restarted.model.enqueue({ kind: 'text', text: 'Read after restart.' });
    const decided = await restarted.server.json('POST', `/api/approvals/${paused.approvalId}`, {
      decision: 'approve',
    });
    expect(decided.status).toBe(200);
    const events = await readSse(await restarted.server.request(`/api/runs/${paused.runId}/events`));
    const names = events.map((record) => record.event);
    expect(names).toContain('tool_end');
    expect(names).toContain('done');
    const seqs = events.filter((record) => record.id).map((record) => Number(record.id!.split(':')[1]));
    expect(events.every((record) => !record.id || record.id.startsWith(`${paused.runId}:`))).toBe(true);
    // Numbered on from the events before the restart (those are gone: a rejoin from the start hears so first).
    expect(Math.min(...seqs)).toBeGreaterThan(paused.lastSeq);
    expect(events[0]).toMatchObject({ event: 'error', data: { code: 'events_expired' } });
    const toolEnd = events.find((record) => record.event === 'tool_end')!;
    expect(JSON.parse(toolEnd.data.output).data.content).toBe('alpha\n');
    expect(toolResult(restarted).data.content).toBe('alpha\n');

    expect(await run(restarted, paused.runId)).toMatchObject({
      status: 'completed',
      finished_at_ms: expect.any(Number),
    });
    const messages = await history(restarted, paused.sessionId);
    const reply = messages.at(-1);
    expect(reply).toMatchObject({ role: 'assistant', content: 'Read after restart.' });
    expect(messages.some((message) => message.streaming || message.status === 'interrupted')).toBe(false);
    const calls = messages.flatMap((message) => message.tool_calls ?? []);
    expect(calls).toEqual([expect.objectContaining({ tool: 'read_file', output: expect.stringContaining('alpha') })]);
    // Usage: one record for the run, counting the model call before the pause and the one after it.
    const usage = await restarted.server.deps.agents
      .get('default')
      .storage.usage.records({ sinceMs: 0, sessionId: paused.sessionId }, 10);
    expect(usage.map((record) => [record.run_id, record.total_tokens])).toEqual([[paused.runId, 30]]);
    expect((await run(restarted, paused.runId)).usage).toMatchObject({ input_tokens: 20, output_tokens: 10 });
    const audit = await restarted.server.deps.agents.get('default').storage.toolAudit.list({ runId: paused.runId });
    expect(audit.map((row) => [row.toolName, row.outcome, row.errorCode])).toEqual([
      ['read_file', 'ok', 'approval_approved'],
      ['read_file', 'ok', null],
    ]);
  });

  it('gives the model the rejection after a restart, and the run completes', async () => {
    using data = makeTempDir('moc-paused-');
    const paused = await pauseThenStop(data.path);
    await using restarted = await approvalFixture({}, data.path);
    restarted.model.enqueue({ kind: 'text', text: 'Not allowed, then.' });
    const decided = await restarted.server.json('POST', `/api/approvals/${paused.approvalId}`, {
      decision: 'reject',
      reason: 'no reading today',
    });
    expect(decided.status).toBe(200);
    await waitFor(async () => ((await run(restarted, paused.runId)).status === 'completed' ? true : undefined));
    expect(toolResult(restarted).error).toMatchObject({
      code: 'E_APPROVAL_REJECTED',
      details: { status: 'rejected', reason: 'no reading today' },
    });
    expect((await history(restarted, paused.sessionId)).at(-1)).toMatchObject({ content: 'Not allowed, then.' });
    const again = await restarted.server.json('POST', `/api/approvals/${paused.approvalId}`, { decision: 'approve' });
    expect(again.status).toBe(409);
  });

  it('cancels a restored run: its approval is cancelled, the model is not called', async () => {
    using data = makeTempDir('moc-paused-');
    const paused = await pauseThenStop(data.path);
    await using restarted = await approvalFixture({}, data.path);
    const stream = restarted.server.request(`/api/runs/${paused.runId}/events`).then(readSse);
    const cancelled = await restarted.server.json('POST', `/api/runs/${paused.runId}/cancel`);
    expect(cancelled.status).toBe(200);
    const events = await stream;
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { code: 'cancelled' } });
    expect(await run(restarted, paused.runId)).toMatchObject({ status: 'cancelled' });
    expect(await approval(restarted, paused.approvalId)).toMatchObject({ status: 'cancelled', decided_by: 'run' });
    expect(restarted.model.chatRequests()).toHaveLength(0);
    const again = await restarted.server.json('POST', `/api/runs/${paused.runId}/cancel`);
    expect(again.body.error).toMatchObject({ code: 'run_not_active' });
    // The session is free again.
    restarted.model.enqueue({ kind: 'text', text: 'Hello again.' });
    const next = await restarted.chat({ message: 'next', session_id: paused.sessionId });
    expect(next.status).toBe(200);
    await readSse(next);
  });

  it('a restored run keeps its session from being archived, and deleting the session cancels it first', async () => {
    using data = makeTempDir('moc-paused-');
    const paused = await pauseThenStop(data.path);
    await using restarted = await approvalFixture({}, data.path);
    const stream = restarted.server.request(`/api/runs/${paused.runId}/events`).then(readSse);
    const queued = await restarted.chat({ message: 'after it', session_id: paused.sessionId, on_busy: 'enqueue' });
    expect(queued.status).toBe(200);
    const archived = await restarted.server.json('POST', `/api/sessions/${paused.sessionId}/archive`);
    expect(archived.status).toBe(409);
    expect(archived.body.error).toMatchObject({ code: 'session_busy', details: { run_id: paused.runId } });

    expect((await restarted.server.json('DELETE', `/api/sessions/${paused.sessionId}`)).status).toBe(200);
    expect((await stream).at(-1)).toMatchObject({ event: 'error', data: { code: 'cancelled' } });
    expect(await run(restarted, paused.runId)).toMatchObject({ status: 'cancelled' });
    expect(await approval(restarted, paused.approvalId)).toMatchObject({ status: 'cancelled', decided_by: 'run' });
    expect(await readSse(queued)).toEqual([
      expect.objectContaining({ event: 'error', data: expect.objectContaining({ code: 'not_found' }) }),
    ]);
    const agent = restarted.server.deps.agents.get('default');
    expect(await agent.storage.checkpoints.get(paused.runId)).toBeNull();
    expect(await agent.storage.messages.list(paused.sessionId)).toEqual([]);
    expect(restarted.model.chatRequests()).toHaveLength(0);
  });

  it('expires an approval whose time ran out while the server was down, and the run goes on without the call', async () => {
    using data = makeTempDir('moc-paused-');
    const paused = await pauseThenStop(data.path);
    {
      using db = new Database(join(data.path, 'workspaces', 'default', 'storage', 'agent.db'));
      db.query('UPDATE approvals SET expires_ms = ? WHERE approval_id = ?').run(Date.now() - 1000, paused.approvalId);
    }
    await using restarted = await approvalFixture({}, data.path);
    restarted.model.enqueue({ kind: 'text', text: 'Too late.' });
    await waitFor(async () => ((await run(restarted, paused.runId)).status === 'completed' ? true : undefined));
    expect(await approval(restarted, paused.approvalId)).toMatchObject({ status: 'expired', decided_by: 'timeout' });
    expect(toolResult(restarted).error).toMatchObject({ code: 'E_APPROVAL_REJECTED', details: { status: 'expired' } });
    const late = await restarted.server.json('POST', `/api/approvals/${paused.approvalId}`, { decision: 'approve' });
    expect(late.status).toBe(409);
  });
});

describe('run checkpoints', () => {
  it('are never written by a turn that does not pause, and deleted once a paused one is decided', async () => {
    await using fixture = await approvalFixture();
    const agent = fixture.server.deps.agents.get('default');
    using db = new Database(join(agent.root, 'storage', 'agent.db'));
    db.exec(`CREATE TABLE checkpoint_writes (run_id TEXT);
      CREATE TRIGGER count_inserts AFTER INSERT ON run_checkpoints BEGIN INSERT INTO checkpoint_writes VALUES (new.run_id); END;
      CREATE TRIGGER count_updates AFTER UPDATE ON run_checkpoints BEGIN INSERT INTO checkpoint_writes VALUES (new.run_id); END;`);
    const writes = () => db.query<{ run_id: string }, []>('SELECT run_id FROM checkpoint_writes').all();
    const stored = () => db.query('SELECT run_id FROM run_checkpoints').all();

    // A tool turn without approvals (list_dir is not held), then a plain reply.
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'list_dir', args: { path: 'workspace' } }] },
      { kind: 'text', text: 'Listed.' },
    );
    await readSse(await fixture.chat({ message: 'List', session_id: sessionId }));
    expect(writes()).toEqual([]);

    const paused = await pausedTurn(fixture);
    const runId = paused.head[0]!.data.run_id;
    await waitFor(() => (stored().length === 1 ? true : undefined));
    expect(writes().every((row) => row.run_id === runId)).toBe(true);
    await fixture.server.json('POST', `/api/approvals/${paused.approval.approval_id}`, { decision: 'approve' });
    await readSse(await fixture.server.request(`/api/runs/${runId}/events`));
    expect(stored()).toEqual([]);
  });

  it('lets an edit after a restart run with the new arguments, checked against the tool schema', async () => {
    using data = makeTempDir('moc-paused-');
    const paused = await pauseThenStop(data.path);
    await using restarted = await approvalFixture({}, data.path);
    const refused = await restarted.server.json('POST', `/api/approvals/${paused.approvalId}`, {
      decision: 'edit',
      args: { path: 42 },
    });
    expect(refused.status).toBe(422);
    expect(await approval(restarted, paused.approvalId)).toMatchObject({ status: 'pending' });
    restarted.model.enqueue({ kind: 'text', text: 'Read b instead.' });
    const edited = await restarted.server.json('POST', `/api/approvals/${paused.approvalId}`, {
      decision: 'edit',
      args: { path: 'workspace/b.md' },
    });
    expect(edited.status).toBe(200);
    await waitFor(async () => ((await run(restarted, paused.runId)).status === 'completed' ? true : undefined));
    expect(toolResult(restarted).data.content).toBe('beta\n');
  });

  it('marks a heartbeat tick cut off while it waited interrupted after a restart', async () => {
    using data = makeTempDir('moc-paused-');
    {
      await using fixture = await approvalFixture({ heartbeat: ['read'] }, data.path);
      const { server } = fixture;
      await server.json('POST', '/api/files', { path: 'workspace/HEARTBEAT.md', content: '- read a.md\n' });
      await server.json('PUT', '/api/scheduler/heartbeat', { enabled: true, active_start_hour: 0, active_end_hour: 0 });
      fixture.model.enqueue({ kind: 'tool_calls', calls: [{ name: 'read_file', args: { path: 'workspace/a.md' } }] });
      server.json('POST', '/api/scheduler/heartbeat/run').catch(() => undefined);
      await waitFor(async () =>
        (await heartbeatRuns(server)).some((row: any) => row.status === 'waiting_approval') ? true : undefined,
      );
    }
    await using restarted = await approvalFixture({}, data.path);
    const rows = await heartbeatRuns(restarted.server);
    expect(rows.filter((row: any) => row.status === 'waiting_approval')).toEqual([]);
    expect(rows.find((row: any) => row.status === 'interrupted')).toMatchObject({
      details: { reason: expect.stringContaining('waited for an approval') },
    });
    // Its run still waits; approved, it answers all-clear, and the all-clear goes as it would have without the restart.
    const [pending] = (await restarted.server.json('GET', '/api/approvals')).body.data.approvals;
    restarted.model.enqueue({ kind: 'text', text: ' HEARTBEAT_OK ' });
    await restarted.server.json('POST', `/api/approvals/${pending.approval_id}`, { decision: 'approve' });
    await waitFor(async () => ((await run(restarted, pending.run_id)).status === 'completed' ? true : undefined));
    expect(await history(restarted, '__heartbeat__')).toEqual([]);
  });
});

describe('a paused run with more to do', () => {
  it('keeps a sibling call that finished before the restart, and survives a second pause and restart', async () => {
    using data = makeTempDir('moc-paused-');
    let runId: string;
    let sessionId: string;
    {
      await using fixture = await approvalFixture({}, data.path);
      sessionId = await fixture.newSession();
      // One model step with two calls: read_file waits, list_dir (not held) runs at once.
      fixture.model.enqueue({
        kind: 'tool_calls',
        calls: [
          { name: 'read_file', args: { path: 'workspace/a.md' } },
          { name: 'list_dir', args: { path: 'workspace' } },
        ],
      });
      const response = await fixture.chat({ message: 'Read and list', session_id: sessionId });
      const stream = streamSse(response);
      const head = await until(stream, 'approval_required');
      runId = head[0]!.data.run_id;
      await until(stream, 'tool_end');
      const agent = fixture.server.deps.agents.get('default');
      // The sibling's result is in the checkpoint before the server stops.
      await waitFor(async () => {
        const checkpoint = await agent.storage.checkpoints.get(runId);
        return (checkpoint?.state as any)?.steps.some((step: any) => step.role === 'tool') ? true : undefined;
      });
      await stream.return(undefined);
    }
    let second: string;
    {
      await using restarted = await approvalFixture({}, data.path);
      const [pending] = (await restarted.server.json('GET', '/api/approvals?status=pending')).body.data.approvals;
      // The model reads again: the run pauses a second time.
      restarted.model.enqueue({ kind: 'tool_calls', calls: [{ name: 'read_file', args: { path: 'workspace/b.md' } }] });
      await restarted.server.json('POST', `/api/approvals/${pending.approval_id}`, { decision: 'approve' });
      second = await waitFor(async () => {
        const listed = (await restarted.server.json('GET', '/api/approvals?status=pending')).body.data.approvals;
        return listed[0]?.approval_id;
      });
      await waitFor(async () =>
        (await restarted.server.deps.agents.get('default').storage.checkpoints.get(runId)) ? true : undefined,
      );
      const request = restarted.model
        .chatRequests()[0]!
        .body.messages.filter((message: any) => message.role === 'tool');
      // Both results of the first step reached the model: the sibling's from before the restart.
      expect(request).toHaveLength(2);
    }
    await using again = await approvalFixture({}, data.path);
    expect(await run(again, runId)).toMatchObject({ status: 'waiting_approval' });
    again.model.enqueue({ kind: 'text', text: 'Both read.' });
    await again.server.json('POST', `/api/approvals/${second}`, { decision: 'approve' });
    await waitFor(async () => ((await run(again, runId)).status === 'completed' ? true : undefined));
    expect(toolResult(again).data.content).toBe('beta\n');
    const messages = await history(again, sessionId);
    expect(messages.at(-1)).toMatchObject({ role: 'assistant', content: 'Both read.' });
    const calls = messages.flatMap((message) => message.tool_calls ?? []).map((call: any) => call.tool);
    expect(calls).toEqual(['read_file', 'list_dir', 'read_file']);
  });
});
