// An agent deleted on one replica while another streams a turn for it: the turn ends `agent_deleted`, as on one
// replica, and nothing of it outlives the deletion (a re-created agent of the same id starts empty).
import { expect, it } from 'bun:test';
import { SQL } from 'bun';
import { AGENT_TABLES } from '../../../src/db/postgres/postgres-db.schema';
import { describeWithPostgres } from '../../support/postgres-database';
import { startReplicaPair } from '../../support/replica-pair';
import { waitFor } from '../../support/scheduler-fixture';
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

  it('keeps what a turn on A writes after the delete on B, before A looks, from the agent B creates again', async () => {
    const url = await database.cluster.createDatabase();
    // A lease of 30 s makes each replica look every 2 s (the longest), and the info log shows A's looks.
    await using pair = await startReplicaPair(url, { leaseSeconds: 30, env: { APP_LOG_LEVEL: 'info' } });
    const [a, b] = pair.replicas;
    for (const agentId of [AGENT, 'marker'])
      expect((await a.api('POST', '/api/agents', { agent_id: agentId })).status).toBe(200);
    const session = (await a.api('POST', `/api/sessions?agent_id=${AGENT}`)).body.data.session_id as string;
    let answer!: () => void;
    const held = new Promise<void>((resolve) => (answer = resolve));
    a.model.enqueue(
      { kind: 'held', until: held, step: { kind: 'text', text: 'a late answer' } },
      { kind: 'text', text: 'Late title' },
    );
    const streamed = fetch(`${a.server.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agent_id: AGENT, session_id: session, message: 'answer later' }),
    }).then(readSse);
    await a.model.waitForRequests(1);

    // A look of A has just retired `marker`: the next one is 2 s away, time enough for what follows on the old code.
    expect((await b.api('DELETE', '/api/agents/marker')).status).toBe(200);
    await waitFor(() => (a.server.stderr().includes('"agent_ids":["marker"]') ? true : undefined), 10_000);
    expect((await b.api('DELETE', `/api/agents/${AGENT}`)).status).toBe(200);
    expect((await b.api('POST', '/api/agents', { agent_id: AGENT })).status).toBe(200);
    answer();
    const events = await streamed;

    // Nothing of the turn under the id: the re-created agent starts empty. The turn ended agent_deleted before.
    await using sql = new SQL({ url, max: 1 });
    const counts: Record<string, number> = {};
    for (const table of AGENT_TABLES)
      counts[table] = (
        await sql.unsafe(`SELECT count(*)::integer AS n FROM ${table} WHERE agent_id = $1`, [AGENT])
      )[0].n;
    expect(counts).toEqual(Object.fromEntries(AGENT_TABLES.map((table) => [table, 0])));
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { code: 'agent_deleted' } });
  }, 90_000);
});
