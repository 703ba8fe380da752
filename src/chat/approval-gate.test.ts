import { describe, expect, it } from 'bun:test';
import { z } from 'zod';
import { silentLogger } from '../shared/logger';
import { approvalGate } from './approval-gate';
import type { ApprovalRecord } from './approval-store.port';
import { createApprovalsService } from './approvals.service';
import type { ChatEvent } from './chat-events';

/** Lets every queued callback and promise of the event loop run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A gate over the real approvals service and in-memory stores; `holdGet()` holds back the next read of an
 * approval (the one that announces it), so a decision can land between storing it and announcing it.
 */
function gateFixture() {
  const rows = new Map<string, ApprovalRecord>();
  let held: { release: PromiseWithResolvers<void>; reading: PromiseWithResolvers<void> } | null = null;
  const approvals = {
    insert: async (record: ApprovalRecord) => void rows.set(record.approvalId, { ...record, status: 'pending' }),
    async get(approvalId: string) {
      const hold = held;
      held = null;
      hold?.reading.resolve();
      await hold?.release.promise;
      return rows.get(approvalId) ?? null;
    },
    async decide(approvalId: string, decision: Partial<ApprovalRecord>) {
      const row = rows.get(approvalId);
      if (row?.status !== 'pending') return false;
      rows.set(approvalId, { ...row, ...decision } as ApprovalRecord);
      return true;
    },
  };
  const statuses: string[] = [];
  const told: boolean[] = [];
  const published: ChatEvent[] = [];
  const runs = { update: async (_runId: string, update: { status: string }) => void statuses.push(update.status) };
  const agent = { id: 'default', root: '/nowhere', storage: { approvals, runs } } as never;
  const service = createApprovalsService({
    agents: { get: () => agent } as never,
    clock: { nowMs: () => Date.now() } as never,
    logger: silentLogger,
  });
  const cancel = new AbortController();
  const run = { runId: 'run', publish: (event: ChatEvent) => void published.push(event), signal: cancel.signal };
  const gate = approvalGate(
    { offered: [], execute: async () => 'ran' },
    {
      tools: { approvalFor: () => ({ level: 3, schema: z.any() }) } as never,
      approvals: service,
      agent,
      run: run as never,
      signal: cancel.signal,
      sessionId: 'session',
      trigger: 'cron',
      config: { tool_approvals: { timeout_seconds: 60, max_pending: 100 } } as never,
      logger: silentLogger,
      onWait: (waiting) => void told.push(waiting),
    },
  );
  const call = (callId: string) => gate.execute({ name: 'read_file', args: {}, runId: 'run', callId });
  const holdGet = () => {
    held = { release: Promise.withResolvers(), reading: Promise.withResolvers() };
    return held;
  };
  const pendingIds = () => [...rows.values()].filter((row) => row.status === 'pending').map((row) => row.approvalId);
  return { service, call, rows, statuses, told, published, cancel, holdGet, pendingIds };
}

describe('approval gate', () => {
  it('announces nothing for an approval decided before it was announced, and tells the next wait in full', async () => {
    const fixture = gateFixture();
    const hold = fixture.holdGet();
    const first = fixture.call('c1');
    await hold.reading.promise;
    await fixture.service.decide('default', fixture.pendingIds()[0]!, { decision: 'approve' });
    expect(await first).toBe('ran');
    hold.release.resolve();
    await settle();
    expect(fixture.published).toEqual([]);
    expect(fixture.told).toEqual([]);
    // The next call waits and is decided as usual: told both ways, the row back to running.
    const second = fixture.call('c2');
    while (fixture.published.length === 0) await settle();
    await fixture.service.decide('default', fixture.pendingIds()[0]!, { decision: 'approve' });
    expect(await second).toBe('ran');
    expect(fixture.told).toEqual([true, false]);
    expect(fixture.statuses.at(-1)).toBe('running');
  });

  it('announces nothing for a call whose run was cancelled before it was announced', async () => {
    const fixture = gateFixture();
    const hold = fixture.holdGet();
    const first = fixture.call('c1');
    await hold.reading.promise;
    fixture.cancel.abort();
    expect(await first).toContain('E_APPROVAL_REJECTED');
    hold.release.resolve();
    await settle();
    expect(fixture.published).toEqual([]);
    expect(fixture.told).toEqual([]);
  });
});
