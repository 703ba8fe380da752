// Cron and heartbeat runs that wait for an approval say so in their run history, then show how they ended.
import { describe, expect, it } from 'bun:test';
import { approvalFixture } from '../../support/approval-fixture';
import type { ChatFixture } from '../../support/chat-fixture';
import { cronRuns, heartbeatRuns, waitFor } from '../../support/scheduler-fixture';
import { makeTempDir } from '../../support/temp-dir';

const pendingApproval = (fixture: ChatFixture) =>
  waitFor(async () => (await fixture.server.json('GET', '/api/approvals?status=pending')).body.data.approvals[0]);

/** A cron job whose model reads a file (cron needs approval for every L0 call in the fixture), run now. */
async function waitingCronRun(fixture: ChatFixture) {
  fixture.model.enqueue(
    { kind: 'tool_calls', calls: [{ name: 'read_file', args: { path: 'workspace/a.md' } }] },
    { kind: 'text', text: 'Done reading.' },
  );
  const job = (
    await fixture.server.json('POST', '/api/scheduler/cron/jobs', {
      name: 'reader',
      schedule_type: 'every',
      schedule: '3600',
      prompt: 'Read a.md',
    })
  ).body.data.job;
  const finished = fixture.server.json('POST', `/api/scheduler/cron/jobs/${job.id}/run?wait=true`);
  const approval = await pendingApproval(fixture);
  return { job, finished, approval };
}

describe('scheduled runs waiting for an approval', () => {
  it('lists a waiting cron run as waiting_approval, then with its final status', async () => {
    await using fixture = await approvalFixture();
    const { finished, approval } = await waitingCronRun(fixture);
    const [waiting] = await cronRuns(fixture.server);
    expect(waiting).toMatchObject({ status: 'waiting_approval', run_id: approval.run_id });
    const decided = await fixture.server.json('POST', `/api/approvals/${approval.approval_id}`, {
      decision: 'approve',
    });
    expect(decided.status).toBe(200);
    expect((await finished).body.data.run).toMatchObject({ status: 'ok' });
    const [done] = await cronRuns(fixture.server);
    expect(done).toMatchObject({ id: waiting.id, status: 'ok', run_id: approval.run_id });
  });

  it('lists a cancelled waiting cron run as cancelled', async () => {
    await using fixture = await approvalFixture();
    const { finished, approval } = await waitingCronRun(fixture);
    await waitFor(async () => ((await cronRuns(fixture.server))[0]?.status === 'waiting_approval' ? true : undefined));
    expect((await fixture.server.json('POST', `/api/runs/${approval.run_id}/cancel`)).status).toBe(200);
    expect((await finished).body.data.run).toMatchObject({ status: 'cancelled' });
    expect((await cronRuns(fixture.server))[0]).toMatchObject({ status: 'cancelled' });
  });

  it('says a cron run cut off by a restart while it waited was interrupted; its turn still waits', async () => {
    using data = makeTempDir('moc-scheduled-');
    let runId: string;
    {
      await using fixture = await approvalFixture({}, data.path);
      const { approval, finished } = await waitingCronRun(fixture);
      runId = approval.run_id;
      finished.catch(() => undefined);
    }
    await using restarted = await approvalFixture({}, data.path);
    const [row] = await cronRuns(restarted.server);
    expect(row).toMatchObject({ status: 'interrupted', run_id: runId, details: { waited_for_approval: true } });
    // The turn itself still waits in its session, as any paused run.
    expect((await restarted.server.json('GET', `/api/runs/${runId}`)).body.data.status).toBe('waiting_approval');
  });

  it('lists a waiting heartbeat tick as waiting_approval, replaced by its final row', async () => {
    await using fixture = await approvalFixture({ heartbeat: ['read'] });
    const { server } = fixture;
    // Enabling runs a first scheduled tick at once: with an empty checklist it is skipped, and cannot race the
    // manual tick below for the session and the model's answers.
    await server.json('POST', '/api/files', { path: 'workspace/HEARTBEAT.md', content: '' });
    await server.json('PUT', '/api/scheduler/heartbeat', { enabled: true, active_start_hour: 0, active_end_hour: 0 });
    await waitFor(async () => ((await heartbeatRuns(server)).length > 0 ? true : undefined));
    await server.json('POST', '/api/files', { path: 'workspace/HEARTBEAT.md', content: '- read a.md\n' });
    fixture.model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'read_file', args: { path: 'workspace/a.md' } }] },
      { kind: 'text', text: 'All read.' },
    );
    const tick = server.json('POST', '/api/scheduler/heartbeat/run');
    const approval = await pendingApproval(fixture);
    const rows = await waitFor(async () => {
      const listed = await heartbeatRuns(server);
      return listed[0]?.status === 'waiting_approval' ? listed : undefined;
    });
    expect(rows[0]).toMatchObject({ run_id: approval.run_id });
    const before = rows.length;
    await server.json('POST', `/api/approvals/${approval.approval_id}`, { decision: 'approve' });
    expect((await tick).body.data.run).toMatchObject({ status: 'ok' });
    const after = await heartbeatRuns(server);
    expect(after).toHaveLength(before);
    expect(after.filter((row: any) => row.run_id === approval.run_id).map((row: any) => row.status)).toEqual(['ok']);
  });
});
