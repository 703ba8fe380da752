// The cap on a session's queued messages (on_busy `enqueue`) holds across two replicas enqueuing at once into one session.
import { expect, it } from 'bun:test';
import { SQL } from 'bun';
import { splitChatAnswers } from '../../support/chat-fixture';
import { describeWithPostgres } from '../../support/postgres-database';
import { startReplicaPair } from '../../support/replica-pair';
import { waitFor } from '../../support/scheduler-fixture';
import { readSse } from '../../support/sse-client';

describeWithPostgres('queued messages on two replicas', (database) => {
  it('stores exactly 32 of 50 messages enqueued at once through both replicas and refuses 18 with 409 queue_full', async () => {
    const url = await database.cluster.createDatabase();
    await using pair = await startReplicaPair(url);
    const [a, b] = pair.replicas;
    const session = (await a.api('POST', '/api/sessions')).body.data.session_id as string;
    a.model.enqueue({ kind: 'hang' });
    const chat = (replica: typeof a, body: Record<string, unknown>) =>
      fetch(`${replica.server.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ session_id: session, ...body }),
      });
    const hanging = chat(a, { message: 'hang' });
    await a.model.waitForRequests(1);
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        chat(index % 2 ? b : a, { message: `burst ${index}`, on_busy: 'enqueue' }),
      ),
    );
    const { accepted, errors } = await splitChatAnswers(responses);
    expect([accepted.length, errors.length]).toEqual([32, 18]);
    expect(errors.map((error) => [error.code, error.details.queued, error.details.limit])).toEqual(
      Array(18).fill(['queue_full', 32, 32]),
    );
    await using sql = new SQL({ url, max: 1 });
    const [row] = await sql`SELECT count(*)::integer AS n FROM messages
      WHERE session_id = ${session} AND status = 'queued'`;
    expect(row.n).toBe(32);
    const [live] = (await a.api('GET', `/api/runs?session_id=${session}&status=running`)).body.data.runs as any[];
    expect((await a.api('POST', `/api/runs/${live.run_id}/cancel`)).status).toBe(200);
    await (await hanging).text();
    // Every stored message runs once (on either replica; the cancelled first turn had no text to keep).
    const history = await waitFor(async () => {
      const messages = (await b.api('GET', `/api/sessions/${session}/history`)).body.data.messages as any[];
      // Done when nothing is left queued and the replies are in (a reply can be stored before the next message starts).
      const drained = messages.every((message) => message.status !== 'queued');
      const stored = messages.filter((message) => message.role === 'assistant' && !message.streaming);
      return drained && stored.length >= 32 ? messages : undefined;
    }, 30_000);
    const asked = history.filter((message) => message.role === 'user').map((message) => message.content);
    const stored = responses.flatMap((response, index) => (response.status === 200 ? [`burst ${index}`] : []));
    expect(asked.toSorted()).toEqual(['hang', ...stored].toSorted());
    expect(history.filter((message) => message.role === 'assistant')).toHaveLength(32);
    expect(history.filter((message) => message.status === 'queued')).toEqual([]);
    // Each accepted stream ends with its turn's reply where its replica ran it, or says that the other replica
    // took it; never a false 404. The replies seen plus the hand-overs are the 32 messages.
    const ends = await Promise.all(accepted.map(async (response) => (await readSse(response)).at(-1)!));
    const done = ends.filter((event) => event.event === 'done');
    const elsewhere = ends.filter((event) => event.event === 'error' && event.data.code === 'queued_elsewhere');
    expect(done.length + elsewhere.length).toBe(32);
    expect(new Set(done.map((event) => event.data.run_id)).size).toBe(done.length);
  }, 90_000);
});
