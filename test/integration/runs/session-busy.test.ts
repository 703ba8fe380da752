// Archiving or deleting a session while its run is live, waits for an approval, or has messages queued behind it.
import { describe, expect, it } from 'bun:test';
import { approvalFixture, pausedTurn } from '../../support/approval-fixture';
import { startChatFixture, type ChatFixture } from '../../support/chat-fixture';
import { readSse, readStreamRest as rest, readStreamUntil as until, streamSse } from '../../support/sse-client';

/** A reply long and slow enough (about 2.5 s) that the test acts while it streams. */
const SLOW_TEXT = 'x'.repeat(2000);
const slowReply = { kind: 'text' as const, text: SLOW_TEXT, chunkSize: 4, delayMs: 5 };

const stored = async (fixture: ChatFixture, sessionId: string) => {
  const agent = fixture.server.deps.agents.get('default');
  return {
    session: await agent.storage.sessions.find(sessionId),
    messages: await agent.storage.messages.list(sessionId),
  };
};
const usageOf = async (fixture: ChatFixture, sessionId: string) =>
  (await fixture.server.json('GET', `/api/usage/records?session_id=${sessionId}`)).body.data.records as any[];
const runOf = async (fixture: ChatFixture, runId: string) =>
  (await fixture.server.json('GET', `/api/runs/${runId}`)).body.data;
const activeIds = async (fixture: ChatFixture) =>
  ((await fixture.server.json('GET', '/api/sessions')).body.data as any[]).map((session) => session.session_id);

describe('a session with a live run', () => {
  it('deleted while its run waits for an approval: the run is cancelled first, then the session goes, and nothing is written for it after', async () => {
    await using fixture = await approvalFixture();
    const { sessionId, stream, head, approval } = await pausedTurn(fixture);
    const runId = head[0]!.data.run_id;

    const deleted = await fixture.server.json('DELETE', `/api/sessions/${sessionId}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.data).toEqual({ deleted: true, session_id: sessionId, archived: false });
    // By the time the delete answers, the run has ended as a cancel ends it.
    expect(await runOf(fixture, runId)).toMatchObject({ status: 'cancelled', finished_at_ms: expect.any(Number) });
    const approvals = (await fixture.server.json('GET', '/api/approvals')).body.data.approvals;
    expect(approvals).toEqual([
      expect.objectContaining({ approval_id: approval.approval_id, status: 'cancelled', decided_by: 'run' }),
    ]);
    const tail = await rest(stream);
    expect(tail.at(-1)).toMatchObject({ event: 'error', data: { code: 'cancelled' } });
    expect(tail.map((record) => record.event)).not.toContain('done');
    expect(tail.map((record) => record.event)).not.toContain('tool_end');
    const decided = await fixture.server.json('POST', `/api/approvals/${approval.approval_id}`, {
      decision: 'approve',
    });
    expect(decided.status).toBe(409);
    expect(decided.body.error).toMatchObject({ code: 'approval_not_pending', details: { status: 'cancelled' } });

    expect(await stored(fixture, sessionId)).toEqual({ session: null, messages: [] });
    expect(await activeIds(fixture)).not.toContain(sessionId);
    const agent = fixture.server.deps.agents.get('default');
    expect(await agent.storage.checkpoints.get(runId)).toBeNull();
    // The tool never ran, the model was not asked again, and the only usage is the call made before the pause
    // (recorded by the cancel, before the delete: usage of a deleted session's past turns stays, as for any).
    const audit = await agent.storage.toolAudit.list({ runId });
    expect(audit.filter((row) => row.outcome === 'ok')).toEqual([]);
    expect(fixture.model.chatRequests()).toHaveLength(1);
    const usage = await usageOf(fixture, sessionId);
    expect(usage.map((record) => [record.trigger_type, record.run_id])).toEqual([['chat', runId]]);
    // Deleting it again is the plain 404 of a missing session.
    expect((await fixture.server.json('DELETE', `/api/sessions/${sessionId}`)).status).toBe(404);
  });

  it('archived while its run waits for an approval: 409 session_busy, nothing moves; once decided the reply lands and archiving works', async () => {
    await using fixture = await approvalFixture();
    const { sessionId, stream, head, approval } = await pausedTurn(fixture);
    const runId = head[0]!.data.run_id;

    const refused = await fixture.server.json('POST', `/api/sessions/${sessionId}/archive`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'session_busy',
      details: { session_id: sessionId, run_id: runId },
    });
    expect(refused.body.error.message).toContain(`/api/runs/${runId}/cancel`);
    expect(await activeIds(fixture)).toContain(sessionId);
    expect(await runOf(fixture, runId)).toMatchObject({ status: 'waiting_approval' });

    expect(
      (await fixture.server.json('POST', `/api/approvals/${approval.approval_id}`, { decision: 'approve' })).status,
    ).toBe(200);
    expect((await rest(stream)).map((record) => record.event)).toContain('done');
    expect(await runOf(fixture, runId)).toMatchObject({ status: 'completed' });
    expect((await fixture.server.json('POST', `/api/sessions/${sessionId}/archive`)).status).toBe(200);
    const { session, messages } = await stored(fixture, sessionId);
    expect(session).toMatchObject({ archived: true, liveResponse: null });
    expect(messages.map((message) => [message.role, message.content])).toEqual([
      ['user', 'Read it'],
      ['assistant', ''],
      ['assistant', 'Read.'],
    ]);
    expect(JSON.parse(String(messages[1]!.toolCalls?.[0]?.output)).data.content).toBe('alpha\n');
  });

  it('archived while its reply streams: 409, the reply goes on and is stored whole; deleted while it streams: cancelled, then gone', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(slowReply);
    const stream = streamSse(await fixture.chat({ message: 'Write', session_id: sessionId }));
    const head = await until(stream, 'token');
    const runId = head[0]!.data.run_id;
    const refused = await fixture.server.json('POST', `/api/sessions/${sessionId}/archive`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'session_busy', details: { run_id: runId } });
    expect((await rest(stream)).find((record) => record.event === 'done')!.data.content).toBe(SLOW_TEXT);
    expect((await stored(fixture, sessionId)).messages.map((message) => message.content)).toEqual(['Write', SLOW_TEXT]);
    expect((await fixture.server.json('POST', `/api/sessions/${sessionId}/archive`)).status).toBe(200);

    const doomed = await fixture.newSession();
    fixture.model.enqueue(slowReply);
    const second = streamSse(await fixture.chat({ message: 'Write more', session_id: doomed }));
    const secondRun = (await until(second, 'token'))[0]!.data.run_id;
    expect((await fixture.server.json('DELETE', `/api/sessions/${doomed}`)).status).toBe(200);
    expect(await runOf(fixture, secondRun)).toMatchObject({ status: 'cancelled' });
    const tail = await rest(second);
    expect(tail.at(-1)).toMatchObject({ event: 'error', data: { code: 'cancelled' } });
    expect(tail.map((record) => record.event)).not.toContain('done');
    expect(await stored(fixture, doomed)).toEqual({ session: null, messages: [] });
    // The cut-short call's usage is recorded by the cancel (estimated), once, and no title call follows.
    const usage = await usageOf(fixture, doomed);
    expect(usage.map((record) => [record.trigger_type, record.run_id])).toEqual([['chat', secondRun]]);
  });

  it('with a message queued behind its run: archive is 409; delete cancels the run and ends the queued stream with 404, the model never asked for it', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(slowReply);
    const first = streamSse(await fixture.chat({ message: 'First', session_id: sessionId }));
    const runId = (await until(first, 'token'))[0]!.data.run_id;
    const queued = await fixture.chat({ message: 'Queued one', session_id: sessionId, on_busy: 'enqueue' });
    expect(queued.status).toBe(200);

    const refused = await fixture.server.json('POST', `/api/sessions/${sessionId}/archive`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('session_busy');
    expect((await stored(fixture, sessionId)).messages.map((message) => [message.content, message.status])).toEqual([
      ['First', undefined],
      ['Queued one', 'queued'],
    ]);

    expect((await fixture.server.json('DELETE', `/api/sessions/${sessionId}`)).status).toBe(200);
    expect((await rest(first)).at(-1)).toMatchObject({ event: 'error', data: { code: 'cancelled' } });
    expect(await runOf(fixture, runId)).toMatchObject({ status: 'cancelled' });
    expect(await readSse(queued)).toEqual([
      expect.objectContaining({ event: 'error', data: expect.objectContaining({ code: 'not_found' }) }),
    ]);
    expect(await stored(fixture, sessionId)).toEqual({ session: null, messages: [] });
    expect(fixture.model.chatRequests()).toHaveLength(1);
    const runs = (await fixture.server.json('GET', `/api/runs?session_id=${sessionId}`)).body.data.runs as any[];
    expect(runs.map((run) => [run.run_id, run.status])).toEqual([[runId, 'cancelled']]);
  });

  it('deleted while new messages race in: none of them runs or is stored, and every stream ends', async () => {
    await using fixture = await approvalFixture();
    // Every turn reads a file (and pauses); a cancelled turn leaves no scripted step behind for the next round.
    fixture.model.setFallback((request) =>
      request.messages.at(-1).role === 'tool'
        ? { kind: 'text', text: 'Read.' }
        : { kind: 'tool_calls', calls: [{ name: 'read_file', args: { path: 'workspace/a.md' } }] },
    );
    for (let round = 0; round < 5; round += 1) {
      const sessionId = await fixture.newSession();
      const stream = streamSse(await fixture.chat({ message: 'Read it', session_id: sessionId }));
      await until(stream, 'approval_required');
      const requestsBefore = fixture.model.chatRequests().length;
      const [deleted, rejected, enqueued] = await Promise.all([
        fixture.server.json('DELETE', `/api/sessions/${sessionId}`),
        fixture.chat({ message: `Racing ${round}`, session_id: sessionId }),
        fixture.chat({ message: `Queued ${round}`, session_id: sessionId, on_busy: 'enqueue' }),
      ]);
      expect(deleted.status).toBe(200);
      expect((await rest(stream)).at(-1)).toMatchObject({ event: 'error', data: { code: 'cancelled' } });
      for (const response of [rejected, enqueued]) {
        if (response.status === 200) {
          // Opened before the delete: it ends with an error, never with an answer.
          const events = await readSse(response);
          expect(events.map((event) => event.event)).not.toContain('done');
          expect(events.at(-1)!.event).toBe('error');
        } else expect([404, 409]).toContain(response.status);
      }
      expect(await stored(fixture, sessionId)).toEqual({ session: null, messages: [] });
      expect(fixture.model.chatRequests()).toHaveLength(requestsBefore);
      const runs = (await fixture.server.json('GET', `/api/runs?session_id=${sessionId}`)).body.data.runs as any[];
      expect(runs.filter((run) => run.status !== 'cancelled')).toEqual([]);
    }
  });
});
