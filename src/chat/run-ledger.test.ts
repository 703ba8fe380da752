// The run ledger on a real SQLite run store whose updates fail like a full disk: retries, their backoff and their end.
import { describe, expect, it } from 'bun:test';
import { type DiskSwitch, withFailingWrites } from '../../test/support/storage-fault-ports';
import type { AgentHandle } from '../agents';
import { AGENT_DB_MIGRATIONS } from '../db/agent-db.schema';
import { openDatabase } from '../db/open-database';
import { silentLogger } from '../shared/logger';
import { createRunLedger } from './run-ledger';
import type { RunPorts } from './run-store.port';
import { createSqliteRunStore } from './sqlite/run-store.sqlite';

/** An agent whose run store refuses updates while `disk.full`, deleted by aborting `deletion`, and hand-fired timers. */
function setup() {
  const db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
  const disk: DiskSwitch = { full: false, refused: 0 };
  const runs = withFailingWrites(createSqliteRunStore(db), ['update'], disk);
  const deletion = new AbortController();
  const agent = {
    id: 'a1',
    signal: deletion.signal,
    storage: { runs },
    lease: () => ({ ...agent, release: () => undefined, [Symbol.dispose]: () => undefined }),
  } as unknown as AgentHandle<RunPorts>;
  const armed = new Map<number, number>();
  let next = 0;
  const timers = {
    setTimeout: (_callback: () => void, ms: number) => {
      armed.set(++next, ms);
      return next;
    },
    clearTimeout: (handle: unknown) => void armed.delete(handle as number),
  };
  const ledger = createRunLedger({ clock: { nowMs: () => 5_000 }, logger: silentLogger, timers });
  return { db, disk, runs, agent, deletion, armed, ledger };
}

describe('createRunLedger', () => {
  it('keeps a refused final write, says which status waits, and stores it when a later write lands', async () => {
    const { db, disk, runs, agent, armed, ledger } = setup();
    using _db = db;
    await ledger.started(agent, { runId: 'r1', sessionId: 's', trigger: 'chat', model: null });
    disk.full = true;
    await ledger.ended(agent, 'r1', undefined, 1);
    expect(ledger.unsettled('a1', 'r1')).toBe('failed');
    expect([...armed.values()]).toEqual([1000]);
    expect((await runs.get('r1'))?.status).toBe('running');

    disk.full = false;
    await ledger.started(agent, { runId: 'r2', sessionId: 's', trigger: 'chat', model: null });
    const stored = await waitForStatus(runs, 'r1');
    expect(stored).toMatchObject({ status: 'failed', finishedMs: 5_000, attempts: 1 });
    expect(ledger.unsettled('a1', 'r1')).toBeNull();
    expect(armed.size).toBe(0);
  });

  it('stops retrying once the agent is deleted, and once the ledger closes', async () => {
    for (const stop of ['delete', 'close'] as const) {
      const { db, disk, agent, deletion, armed, ledger } = setup();
      using _db = db;
      disk.full = true;
      await ledger.ended(agent, 'r1', undefined, 1);
      expect(armed.size).toBe(1);
      if (stop === 'delete') deletion.abort();
      else ledger.close();
      expect(armed.size).toBe(0);
      expect(ledger.unsettled('a1', 'r1')).toBeNull();
      // A later refusal is logged only: nothing is kept for a deleted agent or a closed ledger.
      await ledger.ended(agent, 'r2', undefined, 1);
      expect(armed.size).toBe(0);
      expect(ledger.unsettled('a1', 'r2')).toBeNull();
    }
  });
});

/** The run once it is no longer `running` (the flush a landed write starts is not awaited by it). */
async function waitForStatus(runs: RunPorts['runs'], runId: string) {
  for (let tries = 0; tries < 100; tries++) {
    const run = await runs.get(runId);
    if (run && run.status !== 'running') return run;
    await Promise.resolve();
  }
  throw new Error(`run ${runId} still running`);
}
