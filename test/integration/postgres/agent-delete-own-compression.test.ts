// An agent deleted on the replica that is compressing one of its sessions: the summary call stops, so the delete,
// which waits for the agent's run locks before removing its rows, does not wait out the lock lease.
import { expect, it } from 'bun:test';
import { describeWithPostgres } from '../../support/postgres-database';
import { startReplicaPair } from '../../support/replica-pair';
import { waitFor } from '../../support/scheduler-fixture';

const AGENT = 'squeezed';

describeWithPostgres('DELETE /api/agents/:id while this replica compresses one of its sessions', (database) => {
  it('aborts the summary call and ends the compression agent_deleted before the delete answers', async () => {
    const url = await database.cluster.createDatabase();
    // The delete's longest wait is two leases and 5 s: 15 s, before the held summary is let go.
    await using pair = await startReplicaPair(url, { leaseSeconds: 5, startSecond: false });
    const [a] = pair.replicas;
    let answer!: () => void;
    const held = new Promise<void>((resolve) => (answer = resolve));
    const isSummary = (request: unknown) => JSON.stringify(request).includes('Summarise this conversation');
    a.model.setFallback((request) =>
      isSummary(request)
        ? { kind: 'held', until: held, step: { kind: 'text', text: 'a summary' } }
        : { kind: 'text', text: 'an answer' },
    );
    expect((await a.api('POST', '/api/agents', { agent_id: AGENT })).status).toBe(200);
    const session = (await a.api('POST', `/api/sessions?agent_id=${AGENT}`)).body.data.session_id as string;
    for (const message of ['first', 'second'])
      await waitFor(async () => {
        // 409 while the first turn's title is still being written.
        const reply = await a.api('POST', '/api/chat', {
          agent_id: AGENT,
          session_id: session,
          message,
          stream: false,
        });
        return reply.status === 409 ? undefined : reply.status;
      }, 10_000);
    // The last turn lets go of the session's lock just after its answer (a PostgreSQL write): a compress asked in
    // between is 409 session_busy, and is asked again until its summary call is out.
    const compress = () => a.api('POST', `/api/sessions/${session}/compress?agent_id=${AGENT}`);
    let compressed = compress();
    let refused: number | undefined;
    const watch = (request: typeof compressed) => request.then(({ status }) => void (refused = status));
    watch(compressed);
    await waitFor(() => {
      if (a.model.requests.some((request) => isSummary(request.body))) return true;
      if (refused === undefined) return undefined;
      if (refused !== 409) throw new Error(`compress answered ${refused} before its summary call`);
      refused = undefined;
      compressed = compress();
      watch(compressed);
      return undefined;
    }, 20_000);

    const deleted = await a.api('DELETE', `/api/agents/${AGENT}`);
    const abortedBeforeAnswer = a.model.abortedRequests();
    answer();
    expect(deleted.status).toBe(200);
    expect(abortedBeforeAnswer).toBe(1);
    expect(await compressed).toMatchObject({ status: 404, body: { error: { code: 'agent_deleted' } } });
  }, 60_000);
});
