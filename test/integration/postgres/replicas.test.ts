// Two replicas on one PostgreSQL database and one shared folder: each scheduled run once, one run per session, one truth.
import { expect, it } from 'bun:test';
import { SQL } from 'bun';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithPostgres } from '../../support/postgres-database';
import { startFakeOpenAiServer } from '../../support/fake-openai-server';
import { startReplicaPair } from '../../support/replica-pair';
import { waitFor } from '../../support/scheduler-fixture';

describeWithPostgres('two replicas on one database', (database) => {
  it('runs each of 50 cron jobs due in the same second exactly once, whichever replica created it', async () => {
    const url = await database.cluster.createDatabase();
    await using pair = await startReplicaPair(url);
    const [a, b] = pair.replicas;
    const dueMs = Math.ceil((Date.now() + 6000) / 1000) * 1000;
    const ids: string[] = [];
    for (let index = 0; index < 50; index += 1) {
      const created = await (index % 2 === 0 ? a : b).api('POST', '/api/scheduler/cron/jobs', {
        name: `job-${index}`,
        schedule_type: 'at',
        schedule: new Date(dueMs).toISOString(),
        prompt: `scheduled task ${index}`,
      });
      expect(created.status).toBe(200);
      ids.push(created.body.data.job.id);
    }
    const runs = await waitFor(async () => {
      const listed = (await b.api('GET', '/api/scheduler/cron/runs?limit=5000')).body.data.runs as any[];
      return listed.filter((run) => run.status === 'ok').length >= 50 ? listed : undefined;
    }, 60_000);
    // Every row is one job's one run: no second run, no missed slot, nothing still running.
    expect(runs.map((run) => run.status)).toEqual(Array(50).fill('ok'));
    expect(runs.map((run) => run.job_id).sort()).toEqual([...ids].sort());
    const prompts = [...a.model.chatRequests(), ...b.model.chatRequests()].map((request) =>
      JSON.stringify(request.body.messages.at(-1)),
    );
    expect(prompts).toHaveLength(50);
    for (let index = 0; index < 50; index += 1)
      expect(prompts.filter((prompt) => new RegExp(`scheduled task ${index}(?!\\d)`).test(prompt))).toHaveLength(1);
    // Both replicas agree, and every one-shot job is done.
    const jobs = (await a.api('GET', '/api/scheduler/cron/jobs')).body.data.jobs as any[];
    expect(jobs.filter((job) => job.enabled)).toEqual([]);
    expect((await a.api('GET', '/api/scheduler/cron/runs?limit=5000')).body.data.runs).toEqual(runs);
  }, 90_000);

  it('stops a run on replica A when replica B is asked to cancel it, and answers with the cancelled run', async () => {
    const url = await database.cluster.createDatabase();
    await using pair = await startReplicaPair(url);
    const [a, b] = pair.replicas;
    const session = (await a.api('POST', '/api/sessions')).body.data.session_id as string;
    a.model.enqueue({ kind: 'hang' });
    const streaming = fetch(`${a.server.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'never mind', session_id: session }),
    }).then((response) => response.text());
    await a.model.waitForRequests(1);
    const [live] = (await b.api('GET', `/api/runs?session_id=${session}&status=running`)).body.data.runs as any[];
    const cancelled = await b.api('POST', `/api/runs/${live.run_id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.data).toEqual(expect.objectContaining({ run_id: live.run_id, status: 'cancelled' }));
    expect(await streaming).toContain('"code": "cancelled"');
    // Finished now: a second cancel from either replica is a 409.
    for (const replica of [a, b]) {
      const again = await replica.api('POST', `/api/runs/${live.run_id}/cancel`);
      expect([again.status, again.body.error.code]).toEqual([409, 'run_not_active']);
    }
    await using sql = new SQL({ url, max: 1 });
    await waitFor(async () =>
      (await sql`SELECT count(*)::integer AS n FROM coordinator_locks`)[0].n === 0 ? true : undefined,
    );
  }, 60_000);

  it('answers 409 session_busy on replica B while replica A streams on the session, and agrees on usage', async () => {
    const url = await database.cluster.createDatabase();
    await using pair = await startReplicaPair(url);
    const [a, b] = pair.replicas;
    const session = (await a.api('POST', '/api/sessions')).body.data.session_id as string;
    a.model.enqueue({ kind: 'text', text: 'a slow answer '.repeat(20), chunkSize: 2, delayMs: 40 });
    a.model.enqueue({ kind: 'text', text: 'Slow title' });
    const streaming = fetch(`${a.server.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'first question', session_id: session }),
    }).then((response) => response.text());
    await a.model.waitForRequests(1);
    const refused = await b.api('POST', '/api/chat', {
      message: 'another question',
      session_id: session,
      stream: false,
    });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'session_busy']);
    expect(b.model.chatRequests()).toHaveLength(0);
    // B sees the run in the shared store; its events are A's to replay.
    const [live] = (await b.api('GET', `/api/runs?session_id=${session}&status=running`)).body.data.runs as any[];
    const events = await (await fetch(`${b.server.url}/api/runs/${live.run_id}/events`)).text();
    expect(events).toContain('events_expired');
    expect(events).toContain('held by the replica running it');
    await streaming;
    // The run's lock goes once A has stored the reply and its title; a 409 until then calls no model.
    const answered = await waitFor(async () => {
      const attempt = await b.api('POST', '/api/chat', {
        message: 'another question',
        session_id: session,
        stream: false,
      });
      return attempt.status === 409 ? undefined : attempt;
    }, 15_000);
    expect(answered.status).toBe(200);
    const history = (await a.api('GET', `/api/sessions/${session}/history`)).body.data.messages as any[];
    expect(history.map((message) => [message.role, message.content.slice(0, 14)])).toEqual([
      ['user', 'first question'],
      ['assistant', 'a slow answer '],
      ['user', 'another questi'],
      ['assistant', expect.any(String)],
    ]);
    const summaries = await Promise.all(
      [a, b].map((replica) => replica.api('GET', '/api/usage/summary?since_hours=1')),
    );
    expect(summaries[0]!.status).toBe(200);
    expect(summaries[0]!.body.data.totals.runs).toBeGreaterThanOrEqual(2);
    expect(summaries[1]!.body).toEqual(summaries[0]!.body);
    await using sql = new SQL({ url, max: 1 });
    expect((await sql`SELECT count(*)::integer AS n FROM coordinator_locks`)[0].n).toBe(0);
    // The retrieval index is each replica's own, never a SQLite file on the shared folder.
    for (const replica of [a, b]) expect((await replica.api('POST', '/api/retrieval/reindex')).status).toBe(200);
    expect(readdirSync(join(pair.dataDir, 'workspaces', 'default', 'storage'))).toEqual([]);
  }, 60_000);

  it('creates an agent on one replica only, runs its jobs from either, and deletes it with its rows everywhere', async () => {
    const url = await database.cluster.createDatabase();
    await using pair = await startReplicaPair(url);
    const [a, b] = pair.replicas;
    const created = await Promise.all(
      [a, b].map((replica) => replica.api('POST', '/api/agents', { agent_id: 'team' })),
    );
    expect(created.map((response) => response.status).sort()).toEqual([200, 409]);
    const listed = await Promise.all(
      [a, b].map(async (replica) => (await replica.api('GET', '/api/agents')).body.data),
    );
    expect(listed[1]).toEqual(listed[0]);
    const job = await a.api('POST', '/api/scheduler/cron/jobs?agent_id=team', {
      name: 'team job',
      schedule_type: 'at',
      schedule: new Date(Date.now() + 3000).toISOString(),
      prompt: 'team task',
    });
    expect(job.status).toBe(200);
    await b.api('POST', '/api/sessions?agent_id=team');
    const runs = await waitFor(async () => {
      const listed = (await b.api('GET', '/api/scheduler/cron/runs?agent_id=team')).body.data.runs as any[];
      return listed.some((run) => run.status === 'ok') ? listed : undefined;
    }, 30_000);
    expect(runs.map((run) => run.status)).toEqual(['ok']);

    expect((await b.api('DELETE', '/api/agents/team')).status).toBe(200);
    expect((await a.api('DELETE', '/api/agents/team')).status).toBe(404);
    expect((await a.api('GET', '/api/sessions?agent_id=team')).status).toBe(404);
    await using sql = new SQL({ url, max: 1 });
    await waitFor(async () =>
      (await sql`SELECT count(*)::integer AS n FROM sessions WHERE agent_id = 'team'`)[0].n === 0 ? true : undefined,
    );
    expect((await sql`SELECT count(*)::integer AS n FROM cron_runs WHERE agent_id = 'team'`)[0].n).toBe(0);
    // The id is free again, on either replica, and starts empty.
    expect((await a.api('POST', '/api/agents', { agent_id: 'team' })).status).toBe(200);
    expect((await b.api('GET', '/api/scheduler/cron/jobs?agent_id=team')).body.data.jobs).toEqual([]);
  }, 60_000);

  it('shares the rate limit and the failed-token lockout between the replicas', async () => {
    const url = await database.cluster.createDatabase();
    const env = { APP_RATE_LIMIT_ENABLED: 'true', APP_RATE_LIMIT_FILES: '3', APP_API_TOKEN: 'secret-token' };
    await using pair = await startReplicaPair(url, { env });
    const [a, b] = pair.replicas;
    const status = async (replica: typeof a, path: string, token: string) =>
      (await fetch(`${replica.server.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).status;
    const files: number[] = [];
    for (const replica of [a, b, a, b]) files.push(await status(replica, '/api/files/index', 'secret-token'));
    expect(files).toEqual([200, 200, 200, 429]);
    // Ten failed tokens a minute lock a client out: five here, five there.
    const failures: number[] = [];
    for (let index = 0; index < 10; index++) failures.push(await status(index % 2 ? b : a, '/api/agents', 'wrong'));
    expect(failures).toEqual(Array(10).fill(401));
    expect(await status(a, '/api/agents', 'secret-token')).toBe(429);
    expect(await status(b, '/api/agents', 'secret-token')).toBe(429);
  }, 60_000);

  it('embeds each text once for all replicas: a replica indexing after another reads the shared cache', async () => {
    const url = await database.cluster.createDatabase();
    await using embeddings = await startFakeOpenAiServer();
    const env = { EMBEDDING_BASE_URL: embeddings.baseUrl, EMBEDDING_API_KEY: 'test-key' };
    await using pair = await startReplicaPair(url, { env, startSecond: false });
    const [a] = pair.replicas;
    const memoryVectors = async (replica: typeof a) => {
      const status = (await replica.api('GET', '/api/retrieval/status')).body.data;
      return status.domains.memory.vectors > 0 && status.domains.memory.chunks === status.domains.memory.vectors
        ? status.domains.memory.vectors
        : undefined;
    };
    const vectors = await waitFor(() => memoryVectors(a), 30_000);
    const embeddedByA = embeddings.embeddedTexts().length;
    expect(embeddedByA).toBeGreaterThan(0);

    const b = await pair.start();
    expect(await waitFor(() => memoryVectors(b), 30_000)).toBe(vectors);
    expect(embeddings.embeddedTexts()).toHaveLength(embeddedByA);
  }, 60_000);
});
