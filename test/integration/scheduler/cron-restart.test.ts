import { Database } from 'bun:sqlite';
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { startFakeOpenAiServer } from '../../support/fake-openai-server';
import { createJob, cronRuns, waitFor } from '../../support/scheduler-fixture';
import { startTestServer } from '../../support/start-test-server';
import { makeTempDir } from '../../support/temp-dir';

const MINUTE = 60_000;

describe('cron across a restart', () => {
  it('marks a run killed mid-way as interrupted when the server starts again', async () => {
    using dataDir = makeTempDir('moc-cron-restart-');
    await using model = await startFakeOpenAiServer();
    const env = { LLM_BASE_URL: model.baseUrl, LLM_MODEL: 'fake-model', LLM_API_KEY: 'test-key' };
    const first = await startTestServer({ dataDir: dataDir.path, env });
    const job = await createJob(first, { schedule_type: 'every', schedule: '3600' });
    model.enqueue({ kind: 'hang' });
    const started = await first.json('POST', `/api/scheduler/cron/jobs/${job.id}/run`);
    await model.waitForRequests(1);
    await waitFor(async () => (await cronRuns(first)).find((row) => row.status === 'running'));
    await first.stop();

    await using second = await startTestServer({ dataDir: dataDir.path, env });
    const runs = await cronRuns(second);
    expect(runs.map((row) => [row.id, row.status])).toEqual([[started.body.data.run.id, 'interrupted']]);
    expect(runs[0].error).toBe('The server stopped before the run finished');
    const after = (await second.json('GET', '/api/scheduler/cron/jobs')).body.data.jobs[0];
    expect(after.failure_count).toBe(0);
  });

  it('records slots missed while down and applies each job’s catch-up policy', async () => {
    using dataDir = makeTempDir('moc-cron-catchup-');
    await using model = await startFakeOpenAiServer();
    const env = { LLM_BASE_URL: model.baseUrl, LLM_MODEL: 'fake-model', LLM_API_KEY: 'test-key' };
    const first = await startTestServer({ dataDir: dataDir.path, env });
    const skip = await createJob(first, {
      name: 'skipper',
      schedule_type: 'every',
      schedule: '60',
      prompt: 'skip job',
    });
    const once = await createJob(first, {
      name: 'catcher',
      schedule_type: 'every',
      schedule: '60',
      prompt: 'catch-up job',
      catch_up: 'run_once',
    });
    await first.stop();
    // As if the server had been down for the last 3 min 20 s, with both jobs created before that.
    const anchor = Date.now() - 3 * MINUTE - 20_000;
    const db = new Database(join(dataDir.path, 'workspaces', 'default', 'storage', 'agent.db'));
    db.query('UPDATE cron_jobs SET anchor_ms = ?, created_ms = ?, next_run_ms = ?').run(
      anchor,
      anchor,
      anchor + MINUTE,
    );
    db.close();

    await using second = await startTestServer({ dataDir: dataDir.path, env });
    const runs = await waitFor(async () => {
      const rows = await cronRuns(second);
      return rows.some((row) => row.job_id === once.id && row.status === 'ok') ? rows : undefined;
    });
    const slotsOf = (jobId: string, status: string) =>
      runs
        .filter((row) => row.job_id === jobId && row.status === status)
        .map((row) => (row.scheduled_ms - anchor) / MINUTE)
        .sort();
    expect(slotsOf(skip.id, 'missed')).toEqual([1, 2, 3]);
    expect(slotsOf(skip.id, 'ok')).toEqual([]);
    expect(slotsOf(once.id, 'missed')).toEqual([1, 2]);
    expect(slotsOf(once.id, 'ok')).toEqual([3]);
    expect(model.chatRequests().map((request) => request.body.messages.at(-1).content.split('\n')[0])).toEqual([
      'catch-up job',
    ]);
    const jobs = (await second.json('GET', '/api/scheduler/cron/jobs')).body.data.jobs;
    // Both wait for their next slot on the original grid.
    for (const job of jobs) expect(job.next_run_ts * 1000).toBe(anchor + 4 * MINUTE);
  });
});
