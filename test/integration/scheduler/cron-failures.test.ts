import { describe, expect, it } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChatFixture } from '../../support/chat-fixture';
import { createJob, waitFor } from '../../support/scheduler-fixture';

describe('cron failures', () => {
  it('backs off base·2^(n−1) capped at the max, disables after max_failures and keeps the last error', async () => {
    // Real time plus an offset the test moves forward, so backoff delays pass at once.
    let offsetMs = 0;
    const clock = { nowMs: () => Date.now() + offsetMs };
    await using fixture = await startChatFixture({ overrides: { clock } });
    const { server, model } = fixture;
    await server.json('PUT', '/api/config/runtime', {
      config: {
        agent_runtime: { max_retries: 0 },
        cron: { retry_base_seconds: 5, retry_max_seconds: 30, max_failures: 5, failure_retention: 3 },
      },
    });
    model.setFallback({
      kind: 'error',
      status: 400,
      body: { error: { message: 'bad request from the fake model', type: 'invalid_request_error' } },
    });
    const job = await createJob(server, { schedule_type: 'every', schedule: '3600' });
    const failures = async () => (await server.json('GET', '/api/scheduler/cron/failures')).body.data.failures as any[];
    const jobNow = async () => (await server.json('GET', '/api/scheduler/cron/jobs')).body.data.jobs[0];

    const moveTo = (targetMs: number) => {
      offsetMs += Math.max(0, targetMs - clock.nowMs());
      server.deps.scheduler.reconfigure('default');
    };
    moveTo(job.next_run_ts * 1000);
    const delays: number[] = [];
    let failureRows = 0;
    for (let count = 1; count <= 5; count++) {
      const latest = await waitFor(async () => {
        const rows = await failures();
        return rows[0]?.failure_count === count ? rows[0] : undefined;
      });
      failureRows = Math.min(3, count);
      expect(latest).toEqual(
        expect.objectContaining({ status: 'error', trigger: 'scheduled', job_id: job.id, disabled: count === 5 }),
      );
      expect(latest.error).toContain('bad request from the fake model');
      delays.push(Math.round(latest.next_run_ts * 1000 - latest.finished_ms) / 1000);
      if (count < 5) moveTo(latest.next_run_ts * 1000);
    }
    expect(delays).toEqual([5, 10, 20, 30, 30]);
    expect(model.chatRequests()).toHaveLength(5);
    const disabled = await jobNow();
    expect(disabled).toEqual(expect.objectContaining({ enabled: false, failure_count: 5 }));
    expect(disabled.last_error).toContain('bad request from the fake model');
    // Only the newest failure_retention failure rows are kept.
    expect((await failures()).map((row) => row.failure_count)).toEqual([5, 4, 3].slice(0, failureRows));
    const logged = readFileSync(join(server.dataDir, 'workspaces', 'default', 'storage', 'cron_failures.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(logged.map((line) => [line.status, line.failure_count, line.disabled])).toEqual(
      [1, 2, 3, 4, 5].map((n) => ['error', n, n === 5]),
    );
    // A disabled job no longer fires, however much time passes.
    moveTo(clock.nowMs() + 7200_000);
    await server.deps.scheduler.drain();
    expect((await jobNow()).enabled).toBe(false);
    expect(model.chatRequests()).toHaveLength(5);

    // Enabling again clears the streak; a success resets it too.
    model.setFallback({ kind: 'text', text: 'fine again' });
    const enabled = (await server.json('PUT', `/api/scheduler/cron/jobs/${job.id}`, { enabled: true })).body.data.job;
    expect(enabled).toEqual(expect.objectContaining({ enabled: true, failure_count: 0, last_error: '' }));
  });
});
