import { describe, expect, it } from 'bun:test';
import { startChatFixture } from '../../support/chat-fixture';
import { createJob, cronRuns, waitFor } from '../../support/scheduler-fixture';

const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();

describe('cron timing', () => {
  it('starts a job due in 2 s within 1 s of its time, with no polling', async () => {
    await using fixture = await startChatFixture();
    const job = await createJob(fixture.server, { schedule_type: 'at', schedule: inSeconds(2) });
    const dueMs = job.next_run_ts * 1000;
    await fixture.model.waitForRequests(1);
    const requestedAt = Date.now();
    const run = await waitFor(async () => (await cronRuns(fixture.server)).find((row) => row.status === 'ok'));
    // The bound, generous for a shared machine: the model call leaves within 1 s of the due time.
    expect(requestedAt - dueMs).toBeLessThan(1000);
    expect(run.started_ms - dueMs).toBeLessThan(1000);
    expect(run).toEqual(expect.objectContaining({ trigger: 'scheduled', scheduled_ms: dueMs }));
    expect(run.schedule_lag_ms).toBe(run.started_ms - dueMs);
    // A one-shot job is done after its successful run.
    const after = (await fixture.server.json('GET', '/api/scheduler/cron/jobs')).body.data.jobs[0];
    expect(after).toEqual(expect.objectContaining({ enabled: false, next_run_ts: 0 }));
  });

  it('fires the job of an agent created at runtime, and never the job of a deleted agent', async () => {
    await using fixture = await startChatFixture();
    const { server } = fixture;
    expect((await server.json('POST', '/api/agents', { agent_id: 'newcomer' })).status).toBe(200);
    expect((await server.json('POST', '/api/agents', { agent_id: 'leaving' })).status).toBe(200);
    await createJob(server, { schedule_type: 'at', schedule: inSeconds(1) }, 'leaving');
    expect((await server.json('DELETE', '/api/agents/leaving')).status).toBe(200);
    // Due after the deleted agent's job, so once it has run the other's time has surely passed.
    await createJob(server, { schedule_type: 'at', schedule: inSeconds(1.5) }, 'newcomer');
    const run = await waitFor(async () => (await cronRuns(server, 'newcomer')).find((row) => row.status === 'ok'));
    expect(run.trigger).toBe('scheduled');
    expect(Date.now()).toBeGreaterThan(run.scheduled_ms);
    expect(fixture.model.chatRequests()).toHaveLength(1);
    expect(fixture.model.chatRequests()[0]!.body.messages.at(-1).content).toContain('Check the news');
  });

  it('follows cron.enabled at once: no run while off, and a slot passed meanwhile is recorded as missed', async () => {
    await using fixture = await startChatFixture();
    const { server } = fixture;
    await server.json('PUT', '/api/config/runtime', { config: { cron: { enabled: false } } });
    const job = await createJob(server, { schedule_type: 'at', schedule: inSeconds(0.3) });
    await waitFor(() => (Date.now() > job.next_run_ts * 1000 + 1200 ? true : undefined));
    expect(await cronRuns(server)).toEqual([]);
    await server.json('PUT', '/api/config/runtime', { config: { cron: { enabled: true } } });
    const runs = await cronRuns(server);
    expect(runs.map((row) => [row.status, row.trigger])).toEqual([['missed', 'scheduled']]);
    expect(fixture.model.chatRequests()).toHaveLength(0);
  });

  it('queues an agent’s runs at cron.max_concurrent_runs while another agent’s runs go ahead', async () => {
    await using fixture = await startChatFixture();
    const { server, model } = fixture;
    await server.json('POST', '/api/agents', { agent_id: 'other' });
    model.setFallback((body) => {
      const text = JSON.stringify(body.messages);
      return text.includes('slow job') ? { kind: 'hang' } : { kind: 'text', text: 'quick' };
    });
    const slow = await createJob(server, { schedule_type: 'every', schedule: '3600', prompt: 'slow job' });
    const queued = await createJob(server, { schedule_type: 'every', schedule: '3600', prompt: 'queued job' });
    const other = await createJob(
      server,
      { schedule_type: 'every', schedule: '3600', prompt: 'other agent job' },
      'other',
    );
    await server.json('POST', `/api/scheduler/cron/jobs/${slow.id}/run`);
    await model.waitForRequests(1);
    await server.json('POST', `/api/scheduler/cron/jobs/${queued.id}/run`);
    const otherRun = await server.json('POST', `/api/scheduler/cron/jobs/${other.id}/run?agent_id=other&wait=true`);
    expect(otherRun.body.data.run.status).toBe('ok');
    // The default agent's second job still waits behind the hanging one (limit 1).
    expect((await cronRuns(server)).map((row) => [row.job_id, row.status])).toEqual([[slow.id, 'running']]);
    await server.json('PUT', '/api/config/runtime', { config: { cron: { max_concurrent_runs: 2 } } });
    const done = await waitFor(async () =>
      (await cronRuns(server)).find((row) => row.job_id === queued.id && row.status === 'ok'),
    );
    expect(done.trigger).toBe('manual');
  });

  it('moves the next run of jobs without a zone of their own when cron.timezone changes', async () => {
    await using fixture = await startChatFixture();
    const { server } = fixture;
    const daily = await createJob(server, { schedule_type: 'cron', schedule: '0 9 * * *' });
    const once = await createJob(server, { schedule_type: 'at', schedule: '2037-01-01T09:00:00' });
    const zoned = await createJob(server, {
      schedule_type: 'at',
      schedule: '2037-01-01T09:00:00',
      timezone: 'Asia/Tokyo',
    });
    expect(new Date(once.next_run_ts * 1000).toISOString()).toBe('2037-01-01T09:00:00.000Z');
    const put = await server.json('PUT', '/api/config/runtime', { config: { cron: { timezone: 'America/New_York' } } });
    expect(put.status).toBe(200);
    const jobs = async () =>
      new Map<string, any>(
        (await server.json('GET', '/api/scheduler/cron/jobs')).body.data.jobs.map((job: any) => [job.id, job]),
      );
    const moved = await waitFor(async () => {
      const now = await jobs();
      return now.get(once.id).next_run_ts !== once.next_run_ts ? now : undefined;
    });
    // 09:00 in New York (EST, UTC−5) is 14:00 UTC; the daily job's next 09:00 is a New York 09:00 too.
    expect(new Date(moved.get(once.id).next_run_ts * 1000).toISOString()).toBe('2037-01-01T14:00:00.000Z');
    const nextDaily = new Date(moved.get(daily.id).next_run_ts * 1000);
    expect(
      nextDaily.toLocaleString('en-US', { timeZone: 'America/New_York', hour: 'numeric', minute: '2-digit' }),
    ).toBe('9:00 AM');
    expect(moved.get(zoned.id).next_run_ts).toBe(zoned.next_run_ts);
  });
});
