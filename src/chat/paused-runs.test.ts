// The restore of paused runs by replicas sharing storage: exactly one replica restores a run, whatever the timing.
import { describe, expect, it } from 'bun:test';
import { sessionRunLock } from '../coordination';
import { createMemoryCoordinator } from '../coordination/memory/memory-coordinator';
import { AGENT_DB_MIGRATIONS } from '../db/agent-db.schema';
import { openDatabase } from '../db/open-database';
import { AppError } from '../shared/app-error';
import { silentLogger } from '../shared/logger';
import type { LiveRun } from './live-run';
import { restorePausedRuns } from './paused-runs';
import { createRunRegistry } from './run-registry';
import { createSqliteApprovalStore } from './sqlite/approval-store.sqlite';
import { createSqliteRunCheckpointStore } from './sqlite/run-checkpoint.sqlite';
import { createSqliteRunStore } from './sqlite/run-store.sqlite';

const clock = { nowMs: () => Date.now() };

/** One agent's run storage (shared by the replicas) holding run `run` of session `session`, paused with a checkpoint. */
async function pausedRunStorage() {
  const db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
  const storage = {
    runs: createSqliteRunStore(db),
    approvals: createSqliteApprovalStore(db),
    checkpoints: createSqliteRunCheckpointStore(db),
  };
  await storage.runs.insert({ runId: 'run', sessionId: 'session', trigger: 'chat', startedMs: 1, model: null });
  await storage.runs.update('run', { status: 'waiting_approval', approvalIds: ['approval'] });
  const state = { version: 1, message: 'Read it', nextSeq: 3, approvals: {}, steps: [] };
  await storage.checkpoints.put({ runId: 'run', sessionId: 'session', state, updatedMs: 1 });
  return storage;
}

type RunStorage = Awaited<ReturnType<typeof pausedRunStorage>>;

describe('restorePausedRuns on replicas sharing storage', () => {
  it('restores a run once when a slower replica read it as paused before a faster one restored and finished it', async () => {
    const storage = await pausedRunStorage();
    const coordinator = createMemoryCoordinator(clock);
    const restoredOn: string[] = [];
    /** The restored runs going on to completion, each resolving once its session is free again. */
    const going: Promise<void>[] = [];
    const replica = (name: string, replicaStorage: RunStorage) => {
      const registry = createRunRegistry(coordinator);
      const agent = { id: 'default', storage: replicaStorage };
      const agents = { dataDir: '', ids: () => ['default'], get: () => agent, subscribe: () => () => undefined };
      /** The restored run decided and completed here: its row final, its checkpoint gone, its session let go of. */
      const complete = async (run: LiveRun) => {
        await storage.runs.update(run.runId, { status: 'completed', finishedMs: clock.nowMs() });
        await storage.checkpoints.delete(run.runId);
        run.finish();
        await registry.whenFree('default', 'session');
      };
      return () =>
        restorePausedRuns({
          agents: agents as never,
          registry,
          logger: silentLogger,
          nowMs: clock.nowMs,
          start(_agent, run) {
            restoredOn.push(name);
            going.push(complete(run));
          },
        });
    };
    // The slow replica's first read of the run row answers only once the fast replica is done.
    const read = Promise.withResolvers<void>();
    const answer = Promise.withResolvers<void>();
    let held = false;
    const slowRuns = Object.create(storage.runs) as RunStorage['runs'];
    slowRuns.get = async (runId) => {
      const row = await storage.runs.get(runId);
      if (!held) {
        held = true;
        read.resolve();
        await answer.promise;
      }
      return row;
    };
    const slow = replica('slow', { ...storage, runs: slowRuns })();
    await read.promise;
    await replica('fast', storage)();
    await Promise.all(going.splice(0));
    answer.resolve();
    await slow;
    await Promise.all(going);

    expect(restoredOn).toHaveLength(1);
    expect((await storage.runs.get('run'))?.status).toBe('completed');
    expect(await storage.checkpoints.get('run')).toBeNull();
  });

  it('lets the session go when the restored run cannot start (its agent deleted while it was read)', async () => {
    const storage = await pausedRunStorage();
    const coordinator = createMemoryCoordinator(clock);
    const registry = createRunRegistry(coordinator);
    const agent = { id: 'default', storage };
    const agents = { dataDir: '', ids: () => ['default'], get: () => agent, subscribe: () => () => undefined };
    const restored = await restorePausedRuns({
      agents: agents as never,
      registry,
      logger: silentLogger,
      nowMs: clock.nowMs,
      start() {
        // As agent.lease() answers for an agent deleted since the restore listed its checkpoints.
        throw new AppError('agent_deleted', 'Agent was deleted: default');
      },
    });
    expect(restored).toBe(0);
    // Not left live (a drain would wait for it, a delete for its lock): it ended, and its lock goes.
    expect(registry.live('default', 'session')).toBeNull();
    await registry.whenFree('default', 'session');
    expect(await coordinator.isLocked(sessionRunLock('default', 'session'))).toBe(false);
  });
});
