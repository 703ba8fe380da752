// Run control at its edges: long approval waits, rejoining a quiet run, event ids that were never sent.
import { describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChatFixture, type ChatFixture } from '../../support/chat-fixture';
import { waitFor } from '../../support/scheduler-fixture';
import { stalledGet } from '../../support/raw-request';
import {
  parseSse,
  readSse,
  readStreamRest as rest,
  readStreamUntil as until,
  streamSse,
} from '../../support/sse-client';

/** A fixture whose agent needs approval for read_file in chat. */
async function approvalFixture(extra: Record<string, unknown> = {}) {
  const fixture = await startChatFixture();
  const put = await fixture.server.json('PUT', '/api/config/runtime', {
    config: { tool_approvals: { chat: ['read'], ...extra } },
  });
  expect(put.status).toBe(200);
  writeFileSync(join(fixture.server.deps.agents.get('default').root, 'workspace', 'a.md'), 'alpha\n');
  return fixture;
}

/** A chat turn paused on its read_file call, its stream read up to approval_required. */
async function pausedTurn(fixture: ChatFixture) {
  const sessionId = await fixture.newSession();
  fixture.model.enqueue(
    { kind: 'tool_calls', calls: [{ name: 'read_file', args: { path: 'workspace/a.md' } }] },
    { kind: 'text', text: 'Read.' },
  );
  const stream = streamSse(await fixture.chat({ message: 'Read it', session_id: sessionId }));
  const head = await until(stream, 'approval_required');
  return { sessionId, stream, head, runId: head[0]!.data.run_id as string, approval: head.at(-1)!.data };
}

describe('run control edges', () => {
  it('keeps an approval pending for the longest timeout_seconds (30 days, past what setTimeout takes)', async () => {
    await using fixture = await approvalFixture({ timeout_seconds: 30 * 86_400 });
    const paused = await pausedTurn(fixture);
    const expiresIn = paused.approval.expires_at - Date.now() / 1000;
    expect(expiresIn).toBeGreaterThan(29 * 86_400);
    const decided = await fixture.server.json('POST', `/api/approvals/${paused.approval.approval_id}`, {
      decision: 'approve',
    });
    expect({ status: decided.status, approval: decided.body.data?.status }).toEqual({
      status: 200,
      approval: 'approved',
    });
    const tail = await rest(paused.stream);
    expect(JSON.parse(tail.find((record) => record.event === 'tool_end')!.data.output).data.content).toBe('alpha\n');
  });

  it('answers a rejoin of a run that waits for an approval at once, and refuses an event id it never sent', async () => {
    await using fixture = await approvalFixture();
    const paused = await pausedTurn(fixture);
    const lastId = paused.head.at(-1)!.id!;
    const url = `/api/runs/${paused.runId}/events`;
    // Nothing new to send while the run waits: the headers (and a comment) go out anyway, not with a ping later.
    const rejoin = await fixture.server.request(url, { headers: { 'last-event-id': lastId } });
    expect(rejoin.status).toBe(200);
    const reader = rejoin.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first.startsWith(`: run ${paused.runId}\r\n\r\n`)).toBe(true);
    await reader.cancel();

    const lastSeq = Number(lastId.split(':').at(-1));
    const beyond = [
      await fixture.server.json('GET', `${url}?after=${lastSeq + 100}`),
      await fixture.server.json('GET', `${url}?after=9007199254740991`),
      await fixture.server.json('GET', url, undefined, { 'last-event-id': `${paused.runId}:${lastSeq + 100}` }),
    ];
    expect(beyond.map((response) => [response.status, response.body.error?.details.items[0].field])).toEqual([
      [422, 'query.after'],
      [422, 'query.after'],
      [422, 'header.last-event-id'],
    ]);
    expect(beyond[0]!.body.error.message).toContain(`${lastSeq + 100} is past its last`);
    // Only the form the server sends is an event id: a number Number() would also read is not.
    for (const seq of ['1e0', '0x1', '+1', ' 1', '']) {
      const odd = await fixture.server.json('GET', url, undefined, { 'last-event-id': `${paused.runId}:${seq}` });
      expect([seq, odd.status, odd.body.error?.details.items[0].field]).toEqual([seq, 422, 'header.last-event-id']);
    }

    // An id it did send is a rejoin from there: it gets the rest of the run.
    const fromLast = streamSse(await fixture.server.request(`${url}?after=${lastSeq}`));
    await fixture.server.json('POST', `/api/approvals/${paused.approval.approval_id}`, { decision: 'approve' });
    const rest1 = await rest(fromLast);
    expect(rest1[0]!.id).toBe(`${paused.runId}:${lastSeq + 1}`);
    expect(rest1.map((record) => record.event)).toContain('done');
    await rest(paused.stream);
  });

  it('ends the stream of a queued message whose session is deleted while it waits, instead of leaving it open', async () => {
    await using fixture = await approvalFixture();
    const paused = await pausedTurn(fixture);
    const queued = await fixture.chat({ message: 'Then this', session_id: paused.sessionId, on_busy: 'enqueue' });
    expect(queued.status).toBe(200);
    const deleted = await fixture.server.json('DELETE', `/api/sessions/${paused.sessionId}`);
    expect(deleted.status).toBe(200);
    // The delete cancelled the paused run first: its approval can no longer be decided.
    const decided = await fixture.server.json('POST', `/api/approvals/${paused.approval.approval_id}`, {
      decision: 'approve',
    });
    expect(decided.status).toBe(409);
    expect((await rest(paused.stream)).at(-1)).toMatchObject({ event: 'error', data: { code: 'cancelled' } });
    const events = await readSse(queued);
    expect(events).toEqual([
      expect.objectContaining({ event: 'error', data: expect.objectContaining({ code: 'not_found' }) }),
    ]);
    // The model was asked for the paused run only (its call, then its answer), not for the dropped message.
    expect(fixture.model.chatRequests().map((request) => request.body.messages.at(-1).content)).not.toContain(
      'Then this',
    );
  });

  it('lets a subscriber that stops reading fall behind in the bounded buffer, not pile the run up in memory', async () => {
    await using fixture = await startChatFixture({ overrides: { runReplay: { bufferLimit: 50 } } });
    const sessionId = await fixture.newSession();
    // 2,000 token events of 4 kB: far more than the socket buffers hold for a client that does not read.
    fixture.model.enqueue({ kind: 'text', text: 'x'.repeat(8_000_000), chunkSize: 4000 });
    // Not streamed: a streaming caller is itself a subscriber, and on a loaded machine it could fall behind too.
    const reply = fixture.chat({ message: 'Go', session_id: sessionId, stream: false });
    const runId: string = await waitFor(
      async () => (await fixture.server.json('GET', '/api/runs?status=running')).body.data.runs[0]?.run_id,
    );
    const stalled = await stalledGet(`${fixture.server.url}/api/runs/${runId}/events?after=1`);
    expect((await reply).status).toBe(200);
    await waitFor(
      async () =>
        (await fixture.server.json('GET', `/api/runs/${runId}`)).body.data.status === 'completed' || undefined,
    );
    const late = parseSse(await stalled.resume());
    // It is told what it missed (once more if the run was already past the buffer when it subscribed), then gets
    // the end of the run; the server did not keep all 8 MB for it.
    const codes = late.filter((record) => record.event === 'error').map((record) => record.data.code);
    expect(codes.length).toBeGreaterThan(0);
    expect(new Set(codes)).toEqual(new Set(['events_expired']));
    // The stall itself cost it events: a notice comes after events it did get.
    const lastNotice = late.findLastIndex((record) => record.event === 'error');
    expect(lastNotice).toBeGreaterThan(late.findIndex((record) => record.event === 'token'));
    expect(late.filter((record) => record.event === 'token').length).toBeLessThan(2000);
    const done = late.find((record) => record.event === 'done')!;
    expect(done.data.content).toHaveLength(8_000_000);
    expect(Number(done.id!.split(':')[1])).toBeGreaterThan(2000);
    // A turn answered in one piece (`stream: false`) ends at `done`: it makes no title.
    expect(late.at(-1)!.event).toBe('done');
  });
});
