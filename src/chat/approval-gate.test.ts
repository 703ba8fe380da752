import { describe, expect, it } from 'bun:test';
import { z } from 'zod';
import { approvalsServiceFor, memoryApprovals } from '../../test/support/memory-approvals';
import { silentLogger } from '../shared/logger';
import { approvalGate } from './approval-gate';
import type { ChatEvent } from './chat-events';
import { AGENT_DB_MIGRATIONS } from '../db/agent-db.schema';
import { openDatabase } from '../db/open-database';
import { LiveRun } from './live-run';
import { RunCheckpointer } from './run-checkpointer';
import { createSqliteRunCheckpointStore } from './sqlite/run-checkpoint.sqlite';

/** Lets every queued callback and promise of the event loop run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A gate over the real approvals service and in-memory stores; `holdGet()` holds back the next read of an
 * approval (the one that announces it), so a decision can land between storing it and announcing it.
 */
function gateFixture(
  options: { run?: { runId: string; publish(event: ChatEvent): void }; checkpointer?: RunCheckpointer } = {},
) {
  const table = memoryApprovals();
  const { rows, approvals } = table;
  const statuses: string[] = [];
  const told: boolean[] = [];
  const published: ChatEvent[] = [];
  const runs = { update: async (_runId: string, update: { status: string }) => void statuses.push(update.status) };
  const agent = { id: 'default', root: '/nowhere', storage: { approvals, runs } } as never;
  const service = approvalsServiceFor(agent);
  const cancel = new AbortController();
  const run = {
    runId: options.run?.runId ?? 'run',
    publish(event: ChatEvent) {
      published.push(event);
      options.run?.publish(event);
    },
    signal: cancel.signal,
  };
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
      checkpointer: options.checkpointer,
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

/**
 * A run whose checkpoints go to a real (in-memory) SQLite store: its writes wait while `writes.held` is set, and
 * fail like a full disk while `writes.fail` is on.
 */
function checkpointedGate() {
  const store = createSqliteRunCheckpointStore(openDatabase(':memory:', AGENT_DB_MIGRATIONS));
  const writes = { started: 0, held: null as PromiseWithResolvers<void> | null, fail: false };
  const port = {
    ...store,
    async put(checkpoint: Parameters<typeof store.put>[0]) {
      writes.started += 1;
      await writes.held?.promise;
      if (writes.fail) throw new Error('SQLITE_FULL: database or disk is full');
      await store.put(checkpoint);
    },
  };
  const run = new LiveRun('default\nsession', 'Read it', undefined, 'run');
  run.publish({ type: 'run_start', data: { run_id: 'run', attempt: 1 } });
  const checkpointer = new RunCheckpointer({
    store: () => port,
    run,
    sessionId: 'session',
    trigger: 'chat',
    message: 'Read it',
    clock: { nowMs: () => Date.now() } as never,
    logger: silentLogger,
    attempts: () => 1,
  });
  return { ...gateFixture({ run, checkpointer }), store, writes, run, checkpointer };
}

describe('approval gate with a checkpoint', () => {
  it('writes the checkpoint before the client hears approval_required, numbering on after that event', async () => {
    const fixture = checkpointedGate();
    fixture.writes.held = Promise.withResolvers<void>();
    const call = fixture.call('c1');
    while (fixture.writes.started === 0) await settle();
    // A replica killed now leaves no client waiting on a prompt: nothing was announced yet.
    expect(fixture.published).toEqual([]);
    fixture.writes.held.resolve();
    while (fixture.published.length === 0) await settle();
    const [announced] = fixture.published;
    expect(announced).toMatchObject({ type: 'approval_required', data: { run_id: 'run' } });
    // Seq 1 was run_start, 2 the approval: a restored run numbers its events from 3 on.
    expect(fixture.run.nextSeq).toBe(3);
    const approvalId = fixture.pendingIds()[0]!;
    expect((await fixture.store.get('run'))?.state).toMatchObject({ nextSeq: 3, approvals: { c1: approvalId } });
    await fixture.service.decide('default', approvalId, { decision: 'approve' });
    expect(await call).toBe('ran');
    expect(await fixture.store.get('run')).toBeNull();
  });

  it('writes again before announcing when a sibling call of the step published an event during the write', async () => {
    const fixture = checkpointedGate();
    const first = Promise.withResolvers<void>();
    fixture.writes.held = first;
    const call = fixture.call('c1');
    while (fixture.writes.started === 0) await settle();
    // An event of another call of the step (chat-service publishes so, then tells the checkpointer): seq 2.
    fixture.run.publish({ type: 'tool_start', data: { run_id: 'run', tool: 'list_files', input: {} } });
    fixture.checkpointer.published();
    fixture.writes.held = Promise.withResolvers<void>();
    first.resolve();
    while (fixture.writes.started < 2) await settle();
    // The next write is held: a replica killed now leaves the stored checkpoint. Every event out so far (the
    // sibling's, and approval_required if announced) is numbered below the number a restored run goes on from.
    const stored = (await fixture.store.get('run'))?.state as { nextSeq: number };
    expect(fixture.run.nextSeq - 1).toBeLessThan(stored.nextSeq);
    fixture.writes.held.resolve();
    while (fixture.published.length === 0) await settle();
    expect(fixture.published[0]).toMatchObject({ type: 'approval_required' });
    await fixture.service.decide('default', fixture.pendingIds()[0]!, { decision: 'approve' });
    expect(await call).toBe('ran');
  });

  it('still announces a call whose checkpoint cannot be written, and the call is decided on this replica', async () => {
    const fixture = checkpointedGate();
    fixture.writes.fail = true;
    const call = fixture.call('c1');
    while (fixture.published.length === 0) await settle();
    expect(fixture.published[0]).toMatchObject({ type: 'approval_required' });
    expect(await fixture.store.get('run')).toBeNull();
    await fixture.service.decide('default', fixture.pendingIds()[0]!, { decision: 'approve' });
    expect(await call).toBe('ran');
    expect(fixture.statuses.at(-1)).toBe('running');
  });
});
