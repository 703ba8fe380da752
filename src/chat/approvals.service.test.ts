import { describe, expect, it } from 'bun:test';
import { z } from 'zod';
import { approvalsServiceFor, memoryApprovals } from '../../test/support/memory-approvals';
import type { ApprovalRecord } from './approval-store.port';
import type { ApprovalRequest } from './approvals.service.types';

/** An agent over an approvals table in memory, the service over it, and a request for a read_file call. */
function fixture() {
  const table = memoryApprovals();
  const agent = { id: 'default', storage: { approvals: table.approvals } } as never;
  const request = (signal: AbortSignal, onPending: () => void = () => undefined): ApprovalRequest => ({
    agent,
    runId: 'run',
    sessionId: 'session',
    trigger: 'chat',
    tool: { name: 'read_file', level: 3, schema: z.any() },
    args: {},
    timeoutMs: 60_000,
    maxPending: 2,
    signal,
    onPending,
  });
  return { table, agent, service: approvalsServiceFor(agent), request };
}

/** A pending approval of a read_file call, as an earlier process stored it. */
const pendingApproval = (approvalId = 'a1') =>
  ({
    approvalId,
    runId: 'run',
    sessionId: 'session',
    trigger: 'chat',
    tool: 'read_file',
    args: { path: 'a.md' },
    permissionLevel: 'L0',
    createdMs: Date.now(),
    expiresMs: Date.now() + 60_000,
    status: 'pending',
  }) as unknown as ApprovalRecord;

describe('approvals service', () => {
  it('stops counting a wait whose approval could not be stored towards max_pending', async () => {
    const { table, service, request } = fixture();
    const pending = Promise.withResolvers<void>();
    const run = new AbortController();
    table.failInsert = true;
    for (let failed = 0; failed < 2; failed++)
      await expect(service.request(request(run.signal))).rejects.toThrow(/disk is full/);
    // Nothing waits: the next call waits for its decision instead of being refused.
    table.failInsert = false;
    const outcome = service.request(request(run.signal, () => pending.resolve()));
    expect(await Promise.race([pending.promise.then(() => 'waits'), outcome.then((result) => result.status)])).toBe(
      'waits',
    );
    run.abort();
    expect((await outcome).status).toBe('cancelled');
  });

  it('takes a decision stored behind the back of a wait when its own cancel or expiry finds the approval decided', async () => {
    const { table, agent, service } = fixture();
    const approval = pendingApproval();
    table.rows.set('a1', approval);
    const run = new AbortController();
    const outcome = service.resume({ agent, approval, schema: z.any(), signal: run.signal });
    // Stored for the run's holder (as another replica does) while the wait was on, then the run is cancelled.
    table.rows.set('a1', { ...approval, status: 'approved' });
    run.abort();
    expect(await outcome).toEqual({ status: 'approved', args: { path: 'a.md' } });
  });

  it('ends a wait whose cancel finds the approval decided but cannot read the decision, as cancelled', async () => {
    const { table, agent, service } = fixture();
    const approval = pendingApproval();
    table.rows.set(approval.approvalId, approval);
    const run = new AbortController();
    const outcome = service.resume({ agent, approval, schema: z.any(), signal: run.signal });
    table.rows.set(approval.approvalId, { ...approval, status: 'approved' });
    table.failGet = true;
    run.abort();
    expect((await outcome).status).toBe('cancelled');
  });

  it('keeps a decision for a restored run that has not reached its wait, and only for one', async () => {
    const { table, service } = fixture();
    const restored = pendingApproval('restored');
    const orphan = pendingApproval('orphan');
    for (const approval of [restored, orphan]) table.rows.set(approval.approvalId, approval);
    const run = { isFinished: false };
    service.willResume('default', [restored.approvalId], run);
    const decided = await service.decide('default', restored.approvalId, { decision: 'approve' });
    expect(decided.approval.status).toBe('approved');
    // A pending approval no run here will wait for (its checkpoint lost it): expired, as before.
    await expect(service.decide('default', orphan.approvalId, { decision: 'approve' })).rejects.toThrow(/expired/);
    const late = pendingApproval('late');
    table.rows.set(late.approvalId, late);
    service.willResume('default', [late.approvalId], { isFinished: true });
    await expect(service.decide('default', late.approvalId, { decision: 'approve' })).rejects.toThrow(/expired/);
  });

  it('expires an approval it stored but could not announce, so no decision is taken for a call that does not wait', async () => {
    const { table, service, request } = fixture();
    table.failGet = true;
    await expect(service.request(request(new AbortController().signal))).rejects.toThrow(/disk I\/O error/);
    expect([...table.rows.values()].map((row) => row.status)).toEqual(['expired']);
  });
});
