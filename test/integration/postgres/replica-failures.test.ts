// Replicas on one PostgreSQL database when things break: a replica killed mid-run, the database restarted under load
// or under a streamed turn.
import { expect, it } from 'bun:test';
import { SQL } from 'bun';
import { describeWithPostgres } from '../../support/postgres-database';
import { startReplicaPair } from '../../support/replica-pair';
import { waitFor } from '../../support/scheduler-fixture';
import type { ServerProcess } from '../../support/server-process';
import { readSse } from '../../support/sse-client';

const runsOf = async (replica: ServerProcess) =>
  (await replica.api('GET', '/api/scheduler/cron/runs?limit=100')).body.data.runs as any[];

describeWithPostgres('replicas when something fails', (database) => {
  it('marks the cron run, chat reply and run row of a replica killed mid-run interrupted on the other once its lease expires, and catches up', async () => {
    const url = await database.cluster.createDatabase();
    await using pair = await startReplicaPair(url, { startSecond: false });
    const [a] = pair.replicas;
    const created = await a.api('POST', '/api/scheduler/cron/jobs', {
      name: 'nightly',
      schedule_type: 'every',
      schedule: '3600',
      prompt: 'summarise the day',
      catch_up: 'run_once',
    });
    const jobId = created.body.data.job.id as string;
    a.model.enqueue({ kind: 'hang' });
    await using sql = new SQL({ url, max: 1 });
    // Due now: replica A finds it at its next look for work done elsewhere.
    await sql`UPDATE cron_jobs SET next_run_ms = ${Date.now()} WHERE id = ${jobId}`;
    await a.model.waitForRequests(1);
    const [cutOff] = await waitFor(async () => {
      const runs = await runsOf(a);
      return runs.some((run) => run.status === 'running') ? runs : undefined;
    });

    // A replica starting now leaves the live run alone: its claim is renewed by replica A.
    const b = await pair.start();
    expect((await runsOf(b)).map((run) => [run.id, run.status])).toEqual([[cutOff.id, 'running']]);

    // A chat streaming on replica A too: its partial reply is visible from B while A lives.
    const session = (await a.api('POST', '/api/sessions')).body.data.session_id as string;
    const answer = 'half of a long answer '.repeat(50);
    a.model.enqueue({ kind: 'text', text: answer, chunkSize: 4, delayMs: 100 });
    void fetch(`${a.server.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'tell me everything', session_id: session }),
    })
      .then((response) => response.text())
      // The stream breaks off when replica A is killed: that is the point.
      .catch(() => undefined);
    const history = async () => (await b.api('GET', `/api/sessions/${session}/history`)).body.data.messages as any[];
    await waitFor(async () => ((await history()).at(-1)?.streaming ? true : undefined));

    a.server.child.kill('SIGKILL');
    await a.server.child.exited;
    const kept = await waitFor(async () => {
      const messages = await history();
      return messages.at(-1)?.status === 'interrupted' ? messages : undefined;
    }, 30_000);
    expect(kept.map((message) => [message.role, message.status, message.streaming])).toEqual([
      ['user', undefined, undefined],
      ['assistant', 'interrupted', undefined],
    ]);
    // What A had streamed when it died: a non-empty beginning of the answer.
    expect(kept[1].content.length).toBeGreaterThan(0);
    expect(answer.startsWith(kept[1].content)).toBe(true);
    // Its run row too: active when A died, interrupted by B's sweep (the session lock A held has lapsed).
    const chatRuns = await waitFor(async () => {
      const listed = (await b.api('GET', `/api/runs?session_id=${session}`)).body.data.runs as any[];
      return listed[0]?.status === 'interrupted' ? listed : undefined;
    }, 30_000);
    expect(chatRuns.map((run) => [run.trigger, run.status, run.finished_at_ms > 0])).toEqual([
      ['chat', 'interrupted', true],
    ]);
    const runs = await waitFor(async () => {
      const listed = await runsOf(b);
      return listed.some((run) => run.status === 'ok') ? listed : undefined;
    }, 30_000);
    expect(runs.map((run) => [run.id === cutOff.id, run.status, run.trigger])).toEqual([
      [false, 'ok', 'scheduled'],
      [true, 'interrupted', 'scheduled'],
    ]);
    expect(runs[1].error).toBe('The server stopped before the run finished');
    expect(b.model.chatRequests()).toHaveLength(1);
    const [job] = (await b.api('GET', '/api/scheduler/cron/jobs')).body.data.jobs as any[];
    expect([job.failure_count, job.enabled]).toEqual([0, true]);
    expect(job.next_run_ms ?? job.next_run_ts * 1000).toBeGreaterThan(Date.now() + 3_000_000);
  }, 90_000);

  it('answers 503 storage_unavailable (never 500) while the database restarts under load, and recovers by itself', async () => {
    const url = await database.cluster.createDatabase();
    await using pair = await startReplicaPair(url);
    const statuses: { status: number; code?: string }[] = [];
    let loading = true;
    const load = (async () => {
      for (let round = 0; loading; round += 1) {
        for (const replica of pair.replicas) {
          const request =
            round % 2 === 0 ? replica.api('POST', '/api/sessions') : replica.api('GET', '/api/usage/summary');
          const { status, body } = await request;
          statuses.push({ status, code: body?.error?.code });
        }
      }
    })();
    const readiness = async (replica: ServerProcess) => (await replica.api('GET', '/api/ready')).status;

    await waitFor(async () => (statuses.length >= 10 ? true : undefined));
    await database.cluster.stop();
    for (const replica of pair.replicas)
      await waitFor(async () => ((await readiness(replica)) === 503 ? true : undefined));
    const down = await pair.replicas[0].api('GET', '/api/ready');
    expect(down.body).toEqual(
      expect.objectContaining({ status: 'not_ready', code: 'storage_unavailable', reason: 'database_unreachable' }),
    );
    await waitFor(async () => (statuses.some((entry) => entry.status === 503) ? true : undefined));

    await database.cluster.start();
    for (const replica of pair.replicas)
      await waitFor(async () => ((await readiness(replica)) === 200 ? true : undefined), 30_000);
    const afterRestart = statuses.length;
    await waitFor(
      async () =>
        statuses.slice(afterRestart).filter((entry) => entry.status === 200).length >= 10 ? true : undefined,
      30_000,
    );
    loading = false;
    await load;

    expect(statuses.filter((entry) => entry.status !== 200 && entry.status !== 503)).toEqual([]);
    expect(new Set(statuses.filter((entry) => entry.status === 503).map((entry) => entry.code))).toEqual(
      new Set(['storage_unavailable']),
    );
    const created = await pair.replicas[1].api('POST', '/api/sessions');
    expect(created.status).toBe(200);
  }, 120_000);

  it('stays up when the database goes away under a streamed turn, and serves the session again once it is back', async () => {
    const url = await database.cluster.createDatabase();
    await using pair = await startReplicaPair(url, { startSecond: false });
    const [a] = pair.replicas;
    const session = (await a.api('POST', '/api/sessions')).body.data.session_id as string;
    const { promise: databaseStopped, resolve: letModelAnswer } = Promise.withResolvers<void>();
    a.model.enqueue({ kind: 'held', until: databaseStopped, step: { kind: 'text', text: 'an answer' } });
    const streamed = fetch(`${a.server.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hello', session_id: session }),
    }).then(readSse);
    // The turn holds the session's lock and waits on its model: the database stops under it.
    await a.model.waitForRequests(1);
    await database.cluster.stop();
    letModelAnswer();
    const events = await streamed;
    expect(events.at(-1)).toEqual(
      expect.objectContaining({ event: 'error', data: expect.objectContaining({ code: 'storage_unavailable' }) }),
    );

    // The run ended with its lock not deleted (the database was away): the replica lives on, and the lock lapses.
    await database.cluster.start();
    await waitFor(async () => ((await a.api('GET', '/api/ready')).status === 200 ? true : undefined), 30_000);
    a.model.enqueue({ kind: 'text', text: 'back again' });
    const again = await waitFor(async () => {
      const reply = await a.api('POST', '/api/chat', { message: 'again', session_id: session, stream: false });
      return reply.status === 409 ? undefined : reply;
    }, 30_000);
    expect([again.status, again.body.data?.content]).toEqual([200, 'back again']);
    expect(a.server.child.exitCode).toBeNull();
  }, 90_000);

  it('stops a run live on the replica asked to cancel it while the database is away', async () => {
    const url = await database.cluster.createDatabase();
    await using pair = await startReplicaPair(url, { startSecond: false });
    const [a] = pair.replicas;
    const session = (await a.api('POST', '/api/sessions')).body.data.session_id as string;
    a.model.enqueue({ kind: 'hang' });
    const streamed = fetch(`${a.server.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'go on forever', session_id: session }),
    }).then(readSse);
    await a.model.waitForRequests(1);
    const [run] = (await a.api('GET', `/api/runs?session_id=${session}`)).body.data.runs as any[];
    await database.cluster.stop();
    try {
      const cancelled = await a.api('POST', `/api/runs/${run.run_id}/cancel`);
      expect([cancelled.status, cancelled.body.error?.code]).toEqual([503, 'storage_unavailable']);
      // The run stopped all the same: its stream ends (it hung on the model before the change), with the storage
      // error its recording met.
      const events = await streamed;
      expect(events.at(-1)).toEqual(
        expect.objectContaining({ event: 'error', data: expect.objectContaining({ code: 'storage_unavailable' }) }),
      );
    } finally {
      await database.cluster.start();
    }
    const settled = await waitFor(async () => {
      const listed = await a.api('GET', `/api/runs?session_id=${session}`);
      return listed.status === 200 && listed.body.data.runs[0].status !== 'running' ? listed.body.data.runs : undefined;
    }, 30_000);
    // Its end is stored once the database is back: its own (the storage error, or the cancel), or the sweep's.
    expect(['failed', 'cancelled', 'interrupted']).toContain(settled[0].status);
  }, 90_000);
});
