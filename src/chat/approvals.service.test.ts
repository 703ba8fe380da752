import { describe, expect, it } from 'bun:test';
import { z } from 'zod';
import { silentLogger } from '../shared/logger';
import type { ApprovalRecord } from './approval-store.port';
import { createApprovalsService } from './approvals.service';
import type { ApprovalRequest } from './approvals.service.types';

/** An agent whose approvals table fails its inserts while `failing` is set. */
function fakeAgent() {
  const rows = new Map<string, ApprovalRecord>();
  const state = { failing: true, failingGet: false };
  const approvals = {
    async insert(record: ApprovalRecord) {
      if (state.failing) throw new Error('SQLITE_FULL: database or disk is full');
      rows.set(record.approvalId, { ...record, status: 'pending' });
    },
    async get(approvalId: string) {
      if (state.failingGet) throw new Error('SQLITE_IOERR: disk I/O error');
      return rows.get(approvalId) ?? null;
    },
    async decide(approvalId: string, decision: Partial<ApprovalRecord>) {
      const row = rows.get(approvalId);
      if (row?.status !== 'pending') return false;
      rows.set(approvalId, { ...row, ...decision } as ApprovalRecord);
      return true;
    },
  };
  return { agent: { id: 'default', storage: { approvals } } as never, state, rows };
}

describe('approvals service', () => {
  it('stops counting a wait whose approval could not be stored towards max_pending', async () => {
    const { agent, state } = fakeAgent();
    const service = createApprovalsService({
      agents: { get: () => agent } as never,
      clock: { nowMs: () => Date.now() } as never,
      logger: silentLogger,
    });
    const pending = Promise.withResolvers<void>();
    const run = new AbortController();
    const request = (): ApprovalRequest => ({
      agent,
      runId: 'run',
      sessionId: 'session',
      trigger: 'chat',
      tool: { name: 'read_file', level: 3, schema: z.any() },
      args: {},
      timeoutMs: 60_000,
      maxPending: 2,
      signal: run.signal,
      onPending: () => pending.resolve(),
    });
    for (let failed = 0; failed < 2; failed++) await expect(service.request(request())).rejects.toThrow(/disk is full/);
    // Nothing waits: the next call waits for its decision instead of being refused.
    state.failing = false;
    const outcome = service.request(request());
    expect(await Promise.race([pending.promise.then(() => 'waits'), outcome.then((result) => result.status)])).toBe(
      'waits',
    );
    run.abort();
    expect((await outcome).status).toBe('cancelled');
  });

  it('takes a decision stored behind the back of a wait when its own cancel or expiry finds the approval decided', async () => {
    const { agent, state, rows } = fakeAgent();
    state.failing = false;
    const service = createApprovalsService({
      agents: { get: () => agent } as never,
      clock: { nowMs: () => Date.now() } as never,
      logger: silentLogger,
    });
    const approval = {
      approvalId: 'a1',
      runId: 'run',
      sessionId: 'session',
      trigger: 'chat',
      tool: 'read_file',
      args: { path: 'a.md' },
      permissionLevel: 'L0',
      createdMs: Date.now(),
      expiresMs: Date.now() + 60_000,
      status: 'pending',
    } as unknown as ApprovalRecord;
    rows.set('a1', approval);
    const run = new AbortController();
    const outcome = service.resume({ agent, approval, schema: z.any(), signal: run.signal });
    // Stored for the run's holder (as another replica does) while the wait was on, then the run is cancelled.
    rows.set('a1', { ...approval, status: 'approved' });
    run.abort();
    expect(await outcome).toEqual({ status: 'approved', args: { path: 'a.md' } });
  });

  it('expires an approval it stored but could not announce, so no decision is taken for a call that does not wait', async () => {
    const { agent, state, rows } = fakeAgent();
    state.failing = false;
    state.failingGet = true;
    const service = createApprovalsService({
      agents: { get: () => agent } as never,
      clock: { nowMs: () => Date.now() } as never,
      logger: silentLogger,
    });
    const request: ApprovalRequest = {
      agent,
      runId: 'run',
      sessionId: 'session',
      trigger: 'chat',
      tool: { name: 'read_file', level: 3, schema: z.any() },
      args: {},
      timeoutMs: 60_000,
      maxPending: 2,
      signal: new AbortController().signal,
      onPending: () => undefined,
    };
    await expect(service.request(request)).rejects.toThrow(/disk I\/O error/);
    expect([...rows.values()].map((row) => row.status)).toEqual(['expired']);
  });
});
