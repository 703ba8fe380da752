// Replicas and runs paused for approvals: decided on another replica, or restored there once the holder died.
import { expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithPostgres } from '../../support/postgres-database';
import { startReplicaPair } from '../../support/replica-pair';
import { waitFor } from '../../support/scheduler-fixture';
import type { ServerProcess } from '../../support/server-process';
import { readStreamRest, readStreamUntil, streamSse } from '../../support/sse-client';

/** On replica `a`: read_file needs approval in chat, and a turn pauses on it (its stream is returned). */
async function pauseOn(a: ServerProcess, dataDir: string) {
  expect(
    (await a.api('PUT', '/api/config/runtime', { config: { tool_approvals: { chat: ['read_file'] } } })).status,
  ).toBe(200);
  writeFileSync(join(dataDir, 'workspaces', 'default', 'workspace', 'a.md'), 'alpha\n');
  const session = (await a.api('POST', '/api/sessions')).body.data.session_id as string;
  a.model.enqueue({ kind: 'tool_calls', calls: [{ name: 'read_file', args: { path: 'workspace/a.md' } }] });
  const response = await fetch(`${a.server.url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message: 'Read it', session_id: session }),
  });
  const stream = streamSse(response);
  const head = await readStreamUntil(stream, 'approval_required');
  return { session, stream, runId: head[0]!.data.run_id as string, approvalId: head.at(-1)!.data.approval_id };
}

describeWithPostgres('runs paused for approvals on replicas', (database) => {
  it('goes on on the replica holding it when another replica takes the decision', async () => {
    const url = await database.cluster.createDatabase();
    await using pair = await startReplicaPair(url, { startSecond: false });
    const [a] = pair.replicas;
    const paused = await pauseOn(a, pair.dataDir);
    a.model.enqueue({ kind: 'text', text: 'Read on A.' });
    const b = await pair.start();
    const decided = await b.api('POST', `/api/approvals/${paused.approvalId}`, { decision: 'approve', reason: 'ok' });
    expect([decided.status, decided.body.data?.status]).toEqual([200, 'approved']);
    const tail = await readStreamRest(paused.stream);
    const toolEnd = tail.find((record) => record.event === 'tool_end')!;
    expect(JSON.parse(toolEnd.data.output).data.content).toBe('alpha\n');
    expect(tail.some((record) => record.event === 'done')).toBe(true);
    expect((await b.api('GET', `/api/runs/${paused.runId}`)).body.data.status).toBe('completed');
    expect(b.model.chatRequests()).toHaveLength(0);
  }, 60_000);

  it('is restored by another replica once its holder died, and goes on there after the decision', async () => {
    const url = await database.cluster.createDatabase();
    await using pair = await startReplicaPair(url, { startSecond: false });
    const [a] = pair.replicas;
    const paused = await pauseOn(a, pair.dataDir);
    const b = await pair.start();
    a.server.child.kill('SIGKILL');
    await a.server.child.exited;
    b.model.enqueue({ kind: 'text', text: 'Read on B.' });
    // B's sweep restores the run once A's session lock has lapsed: its events are then held by B.
    await waitFor(async () => {
      const events = await fetch(`${b.server.url}/api/runs/${paused.runId}/events?after=0`, {
        signal: AbortSignal.timeout(500),
      })
        .then((response) => response.text())
        .catch((error: unknown) => (error instanceof Error && error.name === 'TimeoutError' ? 'live' : ''));
      return events === 'live' ? true : undefined;
    }, 30_000);
    expect((await b.api('GET', `/api/runs/${paused.runId}`)).body.data.status).toBe('waiting_approval');
    const decided = await b.api('POST', `/api/approvals/${paused.approvalId}`, { decision: 'approve' });
    expect(decided.status).toBe(200);
    const run = await waitFor(async () => {
      const current = (await b.api('GET', `/api/runs/${paused.runId}`)).body.data;
      return current.status === 'completed' ? current : undefined;
    }, 30_000);
    expect(run.status).toBe('completed');
    const history = (await b.api('GET', `/api/sessions/${paused.session}/history`)).body.data.messages as any[];
    expect(history.at(-1)).toMatchObject({ role: 'assistant', content: 'Read on B.' });
    expect(history.some((message) => message.status === 'interrupted')).toBe(false);
  }, 90_000);

  it('is cancelled on its holder when another replica deletes its session, and refuses to be archived there', async () => {
    const url = await database.cluster.createDatabase();
    await using pair = await startReplicaPair(url, { startSecond: false });
    const [a] = pair.replicas;
    const paused = await pauseOn(a, pair.dataDir);
    const b = await pair.start();
    const archived = await b.api('POST', `/api/sessions/${paused.session}/archive`);
    expect(archived.status).toBe(409);
    expect(archived.body.error).toMatchObject({ code: 'session_busy', details: { held_by: 'another_replica' } });
    expect((await b.api('GET', `/api/runs/${paused.runId}`)).body.data.status).toBe('waiting_approval');

    const deleted = await b.api('DELETE', `/api/sessions/${paused.session}`);
    expect(deleted.status).toBe(200);
    // The run ended on A as a cancel ends it before B deleted the session; nothing is written for it afterwards.
    expect((await readStreamRest(paused.stream)).at(-1)).toMatchObject({ event: 'error', data: { code: 'cancelled' } });
    expect((await b.api('GET', `/api/runs/${paused.runId}`)).body.data.status).toBe('cancelled');
    const approval = (await b.api('GET', '/api/approvals')).body.data.approvals[0];
    expect(approval).toMatchObject({ approval_id: paused.approvalId, status: 'cancelled' });
    const history = await a.api('GET', `/api/sessions/${paused.session}/history`);
    expect(history.status).toBe(404);
    expect(a.model.chatRequests()).toHaveLength(1);
  }, 60_000);
});
