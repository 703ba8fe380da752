import { describe, expect, it } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChatFixture } from '../../support/chat-fixture';
import { createJob, cronRuns, waitFor } from '../../support/scheduler-fixture';

/** The agent's usage records in the order they were stored. */
const usageTriggers = async (fixture: Awaited<ReturnType<typeof startChatFixture>>, agentId = 'default') =>
  (await fixture.server.deps.agents.get(agentId).storage.usage.records({ sinceMs: 0 }, 1000))
    .reverse()
    .map(({ trigger_type, session_id }) => ({ trigger_type, session_id }));

describe('/api/scheduler/cron/jobs', () => {
  it('creates, lists, updates and deletes jobs with the contract fields plus timezone and catch_up', async () => {
    await using fixture = await startChatFixture();
    const { server } = fixture;
    const job = await createJob(server, {
      name: '  Morning news ',
      schedule_type: 'cron',
      schedule: ' 0 9 * * MON-FRI ',
      prompt: ' Summarise ',
      timezone: 'Europe/Berlin',
    });
    expect(job).toEqual(
      expect.objectContaining({
        name: 'Morning news',
        schedule_type: 'cron',
        schedule: '0 9 * * MON-FRI',
        prompt: 'Summarise',
        enabled: true,
        last_run_ts: 0,
        last_success_ts: 0,
        failure_count: 0,
        last_error: '',
        timezone: 'Europe/Berlin',
        catch_up: 'skip',
        session_id: `__cron__:${job.id}`,
      }),
    );
    expect(
      new Date(job.next_run_ts * 1000).toLocaleString('en-GB', {
        timeZone: 'Europe/Berlin',
        hour: '2-digit',
        minute: '2-digit',
      }),
    ).toBe('09:00');
    const unnamed = await createJob(server, { schedule_type: 'every', schedule: '60', enabled: false });
    expect(unnamed).toEqual(expect.objectContaining({ name: 'cron-job', enabled: false, next_run_ts: 0 }));
    expect((await server.json('GET', '/api/scheduler/cron/jobs')).body.data.jobs.map((row: any) => row.id)).toEqual([
      job.id,
      unnamed.id,
    ]);

    const enabled = await server.json('PUT', `/api/scheduler/cron/jobs/${unnamed.id}`, {
      enabled: true,
      name: '  ',
      catch_up: 'run_once',
    });
    expect(enabled.body.data.job).toEqual(
      expect.objectContaining({ name: 'cron-job', enabled: true, catch_up: 'run_once' }),
    );
    expect(enabled.body.data.job.next_run_ts).toBeGreaterThan(Date.now() / 1000);
    const disabled = await server.json('PUT', `/api/scheduler/cron/jobs/${job.id}`, { enabled: false });
    expect(disabled.body.data.job).toEqual(expect.objectContaining({ enabled: false, next_run_ts: 0 }));

    expect((await server.json('DELETE', `/api/scheduler/cron/jobs/${job.id}`)).body.data).toEqual({
      agent_id: 'default',
      deleted: true,
      job_id: job.id,
    });
    expect((await server.json('DELETE', `/api/scheduler/cron/jobs/${job.id}`)).status).toBe(404);
    expect((await server.json('PUT', `/api/scheduler/cron/jobs/${job.id}`, { name: 'x' })).body.error.message).toBe(
      'Cron job not found',
    );
    expect((await server.json('POST', `/api/scheduler/cron/jobs/${job.id}/run`)).status).toBe(404);
  });

  it('answers 422 naming the field for bad schedules, zones and prompts, and stores nothing', async () => {
    await using fixture = await startChatFixture();
    const post = (body: Record<string, unknown>) =>
      fixture.server.json('POST', '/api/scheduler/cron/jobs', { prompt: 'p', ...body });
    const fields = async (body: Record<string, unknown>) => {
      const response = await post(body);
      expect(response.status).toBe(422);
      return response.body.error.details.items.map((item: any) => item.field);
    };
    expect(await fields({ schedule_type: 'cron', schedule: '0 25 * * *' })).toEqual(['schedule']);
    expect(await fields({ schedule_type: 'every', schedule: '2' })).toEqual(['schedule']);
    expect(await fields({ schedule_type: 'at', schedule: 'next tuesday' })).toEqual(['schedule']);
    expect(await fields({ schedule_type: 'every', schedule: '60', timezone: 'Mars/Olympus' })).toEqual(['timezone']);
    expect(await fields({ schedule_type: 'every', schedule: '60', prompt: '   ' })).toEqual(['prompt']);
    expect(await fields({ schedule_type: 'hourly', schedule: '1' })).toEqual(['schedule_type']);
    expect(await fields({ schedule_type: 'every', schedule: '60', catch_up: 'always' })).toEqual(['catch_up']);
    const job = await createJob(fixture.server, { schedule_type: 'every', schedule: '60' });
    const update = await fixture.server.json('PUT', `/api/scheduler/cron/jobs/${job.id}`, { schedule: '' });
    expect(update.status).toBe(422);
    expect(update.body.error.details.items[0].field).toBe('schedule');
    expect(
      (await fixture.server.json('PUT', `/api/scheduler/cron/jobs/${job.id}`, { schedule_type: 'cron' })).status,
    ).toBe(422);
    expect((await fixture.server.json('GET', '/api/scheduler/cron/jobs')).body.data.jobs).toEqual([job]);
  });

  it('answers 403 scheduler_api_disabled on every route when the agent turns the API off', async () => {
    await using fixture = await startChatFixture();
    await fixture.server.json('PUT', '/api/config/runtime', { config: { scheduler: { api_enabled: false } } });
    for (const [method, path] of [
      ['GET', '/api/scheduler/cron/jobs'],
      ['POST', '/api/scheduler/cron/jobs/x/run'],
      ['GET', '/api/scheduler/cron/runs'],
      ['GET', '/api/scheduler/cron/failures'],
      ['GET', '/api/scheduler/heartbeat'],
      ['PUT', '/api/scheduler/heartbeat'],
      ['GET', '/api/scheduler/heartbeat/runs'],
    ] as const) {
      const response = await fixture.server.json(method, path, method === 'PUT' ? {} : undefined);
      expect([path, response.status, response.body.error.code, response.body.error.message]).toEqual([
        path,
        403,
        'scheduler_api_disabled',
        'Scheduler API is disabled',
      ]);
    }
  });

  it('bounds limit and defaults it to scheduler.runs_query_default_limit', async () => {
    await using fixture = await startChatFixture();
    const job = await createJob(fixture.server, { schedule_type: 'every', schedule: '3600' });
    for (let index = 0; index < 3; index++)
      await fixture.server.json('POST', `/api/scheduler/cron/jobs/${job.id}/run?wait=true`);
    await fixture.server.json('PUT', '/api/config/runtime', { config: { scheduler: { runs_query_default_limit: 2 } } });
    expect((await fixture.server.json('GET', '/api/scheduler/cron/runs')).body.data.runs).toHaveLength(2);
    expect((await fixture.server.json('GET', '/api/scheduler/cron/runs?limit=3')).body.data.runs).toHaveLength(3);
    for (const limit of ['0', '5001', 'lots']) {
      const response = await fixture.server.json('GET', `/api/scheduler/cron/runs?limit=${limit}`);
      expect([limit, response.status, response.body.error.details.items[0].field]).toEqual([limit, 422, 'query.limit']);
    }
  });
});

describe('POST /api/scheduler/cron/jobs/:job_id/run', () => {
  it('answers at once with the job and the new run id while the model is still working', async () => {
    await using fixture = await startChatFixture();
    const job = await createJob(fixture.server, { schedule_type: 'every', schedule: '3600', enabled: false });
    fixture.model.enqueue({ kind: 'hang' });
    const response = await fixture.server.json('POST', `/api/scheduler/cron/jobs/${job.id}/run`);
    expect(response.status).toBe(200);
    expect(response.body.data.job.id).toBe(job.id);
    expect(response.body.data.run).toEqual({ id: expect.any(String), status: 'queued' });
    await fixture.model.waitForRequests(1);
    const running = await waitFor(async () => (await cronRuns(fixture.server)).find((run) => run.status === 'running'));
    expect(running).toEqual(
      expect.objectContaining({ id: response.body.data.run.id, trigger: 'manual', job_id: job.id }),
    );
  });

  it('lets a "run now" join the run already waiting for that job instead of queuing another', async () => {
    await using fixture = await startChatFixture();
    const job = await createJob(fixture.server, { schedule_type: 'every', schedule: '3600', enabled: false });
    fixture.model.enqueue({ kind: 'hang' });
    const runNow = async () =>
      (await fixture.server.json('POST', `/api/scheduler/cron/jobs/${job.id}/run`)).body.data.run.id as string;
    const executing = await runNow();
    await fixture.model.waitForRequests(1);
    // One run executes (its model hangs); the next waits behind it, and every click after that joins the waiting one.
    const waiting = await runNow();
    const clicks = await Promise.all(Array.from({ length: 20 }, runNow));
    expect(waiting).not.toBe(executing);
    expect(new Set(clicks)).toEqual(new Set([waiting]));
  });

  it('with wait=true answers with the finished row; the run is a cron turn in the job session, usage under cron', async () => {
    await using fixture = await startChatFixture();
    const job = await createJob(fixture.server, {
      name: 'Digest',
      schedule_type: 'every',
      schedule: '3600',
      prompt: 'Write the digest',
    });
    fixture.model.enqueue({ kind: 'text', text: 'Digest: all quiet.' });
    const response = await fixture.server.json('POST', `/api/scheduler/cron/jobs/${job.id}/run?wait=true`);
    const run = response.body.data.run;
    expect(run).toEqual(
      expect.objectContaining({
        status: 'ok',
        trigger: 'manual',
        job_id: job.id,
        name: 'Digest',
        session_id: job.session_id,
        response_preview: 'Digest: all quiet.',
      }),
    );
    expect(run.duration_ms).toBeGreaterThanOrEqual(0);
    expect(response.body.data.job).toEqual(expect.objectContaining({ failure_count: 0, last_error: '' }));
    expect(response.body.data.job.last_success_ts).toBeGreaterThan(0);
    const sent = fixture.model.chatRequests()[0]!.body.messages.at(-1).content as string;
    expect(sent.startsWith('Write the digest\n\n[Scheduled run rules]')).toBe(true);
    expect(sent).toContain('web_search');
    expect(sent).toContain('web_fetch');
    const history = (await fixture.server.json('GET', `/api/sessions/${encodeURIComponent(job.session_id)}/history`))
      .body.data.messages;
    expect(history.map((message: any) => [message.role, message.content])).toEqual([
      ['user', 'Write the digest'],
      ['assistant', 'Digest: all quiet.'],
    ]);
    const session = (await fixture.server.json('GET', '/api/sessions')).body.data.find(
      (row: any) => row.session_id === job.session_id,
    );
    expect(session.title).toBe('Digest');
    // The job's session is listed like any other (the contract's list), and left out on request.
    const userList = (await fixture.server.json('GET', '/api/sessions?include_internal=false')).body.data as {
      session_id: string;
    }[];
    expect(userList.some((row) => row.session_id === job.session_id)).toBe(false);
    expect(await usageTriggers(fixture)).toEqual([{ trigger_type: 'cron', session_id: job.session_id }]);
    const logged = readFileSync(
      join(fixture.server.dataDir, 'workspaces', 'default', 'storage', 'cron_runs.jsonl'),
      'utf8',
    )
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(logged).toEqual([
      expect.objectContaining({
        timestamp_ms: run.timestamp_ms,
        job_id: job.id,
        name: 'Digest',
        status: 'ok',
        response_preview: 'Digest: all quiet.',
        id: run.id,
      }),
    ]);
    expect(run.run_id).toBe(
      (await fixture.server.deps.agents.get('default').storage.usage.records({ sinceMs: 0 }, 1))[0]!.run_id,
    );
  });
});
