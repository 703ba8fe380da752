import { describe, expect, it } from 'bun:test';
import { z } from 'zod';
import { silentLogger } from '../shared/logger';
import type { ApprovalRecord } from './approval-store.port';
import { createApprovalsService } from './approvals.service';
import type { ApprovalRequest } from './approvals.service.types';

/** An agent whose approvals table fails its inserts while `failing` is set. */
function fakeAgent() {
  const rows = new Map<string, ApprovalRecord>();
  const state = { failing: true };
  const approvals = {
    async insert(record: ApprovalRecord) {
      if (state.failing) throw new Error('SQLITE_FULL: database or disk is full');
      rows.set(record.approvalId, { ...record, status: 'pending' });
    },
    get: async (approvalId: string) => rows.get(approvalId) ?? null,
    decide: async () => true,
  };
  return { agent: { id: 'default', storage: { approvals } } as never, state };
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
});
