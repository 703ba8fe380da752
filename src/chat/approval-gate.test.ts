import { describe, expect, it } from 'bun:test';
import { z } from 'zod';
import { approvalsServiceFor, memoryApprovals } from '../../test/support/memory-approvals';
import { silentLogger } from '../shared/logger';
import { approvalGate } from './approval-gate';
import type { ChatEvent } from './chat-events';

/** Lets every queued callback and promise of the event loop run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A gate over the real approvals service and in-memory stores; `holdGet()` holds back the next read of an
 * approval (the one that announces it), so a decision can land between storing it and announcing it.
 */
function gateFixture() {
  const table = memoryApprovals();
  const { rows, approvals } = table;
  const statuses: string[] = [];
  const told: boolean[] = [];
  const published: ChatEvent[] = [];
  const runs = { update: async (_runId: string, update: { status: string }) => void statuses.push(update.status) };
  const agent = { id: 'default', root: '/nowhere', storage: { approvals, runs } } as never;
  const service = approvalsServiceFor(agent);
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
      config: () => ({ tool_approvals: { timeout_seconds: 60, max_pending: 100 } }) as never,
      logger: silentLogger,
      onWait: (waiting) => void told.push(waiting),
    },
  );
  const call = (callId: string) => gate.execute({ name: 'read_file', args: {}, runId: 'run', callId });
  const holdGet = () => {
    const held = { release: Promise.withResolvers<void>(), reading: Promise.withResolvers<void>() };
    table.beforeNextGet = () => {
      held.reading.resolve();
      return held.release.promise;
    };
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
