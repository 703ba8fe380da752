// An agent deleted on one replica while another streams a turn for it: the turn ends `agent_deleted`, as on one
// replica, and nothing of it outlives the deletion (a re-created agent of the same id starts empty).
import { expect, it } from 'bun:test';
import { SQL } from 'bun';
import { describeWithPostgres } from '../../support/postgres-database';
import { startReplicaPair } from '../../support/replica-pair';
import { readSse } from '../../support/sse-client';

const AGENT = 'victim';

describeWithPostgres('DELETE /api/agents/:id on another replica than the one running its turn', (database) => {
  it('ends the turn streaming on replica A with agent_deleted, and leaves no usage for a re-created agent', async () => {
    const url = await database.cluster.createDatabase();
    await using pair = await startReplicaPair(url);
    const [a, b] = pair.replicas;
    expect((await a.api('POST', '/api/agents', { agent_id: AGENT })).status).toBe(200);
    const session = (await a.api('POST', `/api/sessions?agent_id=${AGENT}`)).body.data.session_id as string;
    // Slow enough (about 6 s) that it is still streaming when the agent goes, well past a few looks of replica A.
    a.model.enqueue({ kind: 'text', text: 'slow '.repeat(60), chunkSize: 5, delayMs: 100 });
    const streamed = fetch(`${a.server.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agent_id: AGENT, session_id: session, message: 'take your time' }),
    }).then(readSse);
    await a.model.waitForRequests(1);

    expect((await b.api('DELETE', `/api/agents/${AGENT}`)).status).toBe(200);
    const events = await streamed;
    expect(events.filter((event) => event.event === 'done')).toEqual([]);
    expect(events.at(-1)).toMatchObject({
      event: 'error',
      data: { code: 'agent_deleted', error: `Agent was deleted: ${AGENT}` },
    });

    // Created again (on B), and used on A: only the new agent's turn counts.
    expect((await b.api('POST', '/api/agents', { agent_id: AGENT })).status).toBe(200);
    const fresh = (await a.api('POST', `/api/sessions?agent_id=${AGENT}`)).body.data.session_id as string;
    a.model.enqueue({ kind: 'text', text: 'a fresh answer' }, { kind: 'text', text: 'Fresh title' });
    const reply = await a.api('POST', '/api/chat', {
      agent_id: AGENT,
      session_id: fresh,
      message: 'hello again',
      stream: false,
    });
    expect([reply.status, reply.body.data?.content]).toEqual([200, 'a fresh answer']);
    await using sql = new SQL({ url, max: 1 });
    const sessionsOfUsage = await sql`SELECT DISTINCT session_id FROM usage_records WHERE agent_id = ${AGENT}`;
    expect(sessionsOfUsage.map((row: { session_id: string }) => row.session_id)).toEqual([fresh]);
    const runs = await sql`SELECT DISTINCT session_id FROM runs WHERE agent_id = ${AGENT}`;
    expect(runs.map((row: { session_id: string }) => row.session_id)).toEqual([fresh]);
    for (const replica of [a, b]) {
      const { body } = await replica.api('GET', `/api/sessions?agent_id=${AGENT}`);
      expect(body.data.map((listed: { session_id: string }) => listed.session_id)).toEqual([fresh]);
    }
  }, 90_000);
});
