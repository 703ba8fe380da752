// What the Coordinator shares between holders (replicas, issue 17): run locks (409, skipped, not run) and request buckets.
import { describe, expect, it } from 'bun:test';
import { cronJobLock, sessionRunLock } from '../../../src/coordination';
import { createMemoryCoordinator } from '../../../src/coordination/memory/memory-coordinator';
import { systemClock } from '../../../src/shared/clock';
import { startChatFixture } from '../../support/chat-fixture';
import { createJob, cronRuns } from '../../support/scheduler-fixture';
import { startTestServer } from '../../support/start-test-server';

describe('locks held by another holder of the coordinator', () => {
  it('answers 409 session_busy for a chat on a session whose run lock is held elsewhere, without calling the model, and runs once it is free', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    const elsewhere = (await fixture.server.deps.coordinator.tryLock(sessionRunLock('default', sessionId)))!;
    for (const stream of [true, false]) {
      const refused = await fixture.server.json('POST', '/api/chat', {
        message: 'hello',
        session_id: sessionId,
        stream,
      });
      expect([refused.status, refused.body.error.code]).toEqual([409, 'session_busy']);
    }
    expect(fixture.model.chatRequests()).toHaveLength(0);
    expect((await fixture.server.json('GET', `/api/sessions/${sessionId}/history`)).body.data.messages).toEqual([]);
    const compress = await fixture.server.json('POST', `/api/sessions/${sessionId}/compress`);
    expect(compress.body.error.code).toBe('session_busy');
    await elsewhere.release();
    fixture.model.enqueue({ kind: 'text', text: 'hi' }, { kind: 'text', text: 'Greeting' });
    const answered = await fixture.server.json('POST', '/api/chat', {
      message: 'hello',
      session_id: sessionId,
      stream: false,
    });
    expect([answered.status, answered.body.data.content]).toEqual([200, 'hi']);
    expect(await fixture.server.deps.coordinator.isLocked(sessionRunLock('default', sessionId))).toBe(false);
  });

  it('records skipped_busy for a heartbeat whose session is running elsewhere', async () => {
    await using fixture = await startChatFixture();
    // Held before the heartbeat is enabled: enabling it arms a tick due at once, which must find the lock held too.
    const elsewhere = (await fixture.server.deps.coordinator.tryLock(sessionRunLock('default', '__heartbeat__')))!;
    await fixture.server.json('POST', '/api/files', {
      path: 'workspace/HEARTBEAT.md',
      content: '# Checks\n- look at memory\n',
    });
    await fixture.server.json('PUT', '/api/scheduler/heartbeat', {
      enabled: true,
      active_start_hour: 0,
      active_end_hour: 0,
    });
    const run = (await fixture.server.json('POST', '/api/scheduler/heartbeat/run')).body.data.run;
    expect([run.status, run.details]).toEqual(['skipped_busy', { session_id: '__heartbeat__' }]);
    expect(fixture.model.chatRequests()).toHaveLength(0);
    await elsewhere.release();
  });

  it('does not run a cron job another holder has claimed, and runs it once the claim is gone', async () => {
    await using fixture = await startChatFixture();
    const job = await createJob(fixture.server, { schedule_type: 'every', schedule: '3600' });
    const elsewhere = (await fixture.server.deps.coordinator.tryLock(cronJobLock('default', job.id)))!;
    const skipped = await fixture.server.json('POST', `/api/scheduler/cron/jobs/${job.id}/run?wait=true`);
    expect(skipped.body.data.run).toEqual({ id: expect.any(String), status: 'cancelled' });
    expect(await cronRuns(fixture.server)).toEqual([]);
    expect(fixture.model.chatRequests()).toHaveLength(0);
    await elsewhere.release();
    fixture.model.enqueue({ kind: 'text', text: 'Done.' });
    const ran = await fixture.server.json('POST', `/api/scheduler/cron/jobs/${job.id}/run?wait=true`);
    expect(ran.body.data.run.status).toBe('ok');
    expect(await fixture.server.deps.coordinator.isLocked(cronJobLock('default', job.id))).toBe(false);
  });
});

describe('request buckets shared through the coordinator', () => {
  it('counts the files rate limit and failed tokens across two servers on one coordinator', async () => {
    const coordinator = createMemoryCoordinator(systemClock);
    const env = { APP_RATE_LIMIT_ENABLED: 'true', APP_RATE_LIMIT_FILES: '3', APP_API_TOKEN: 'secret-token' };
    const authLockout = { maxFailures: 2, windowMs: 60_000, lockMs: 60_000 };
    await using first = await startTestServer({ env, overrides: { coordinator, authLockout } });
    await using second = await startTestServer({ env, overrides: { coordinator, authLockout } });
    const auth = { authorization: 'Bearer secret-token' };
    const statuses: number[] = [];
    for (const server of [first, second, first, second])
      statuses.push((await server.json('GET', '/api/files/index', undefined, auth)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await first.json('GET', '/api/agents', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await second.json('GET', '/api/agents', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
    const locked = await first.json('GET', '/api/agents', undefined, auth);
    expect([locked.status, locked.body.error.message]).toEqual([
      429,
      'Too many failed authentication attempts. Try again later.',
    ]);
    await coordinator.close();
  });
});
