// The sweep of a dead replica's runs: a run paused for approvals keeps its live reply for its restore, whatever the timing.
import { describe, expect, it } from 'bun:test';
import { createMemoryCoordinator } from '../coordination/memory/memory-coordinator';
import { sessionRunLock } from '../coordination';
import { AGENT_DB_MIGRATIONS } from '../db/agent-db.schema';
import { openDatabase } from '../db/open-database';
import { createSqliteMessageStore } from '../sessions/sqlite/message-store.sqlite';
import { createSqliteSessionStore } from '../sessions/sqlite/session-store.sqlite';
import { silentLogger } from '../shared/logger';
import { createSqliteApprovalStore } from './sqlite/approval-store.sqlite';
import { createSqliteRunCheckpointStore } from './sqlite/run-checkpoint.sqlite';
import { createSqliteRunStore } from './sqlite/run-store.sqlite';
import { startOrphanSweeper } from './orphaned-runs';

const clock = { nowMs: () => Date.now() };

/** One agent's storage in memory, with a session whose run died mid-turn: `paused` for approvals (checkpointed) or not. */
async function deadRun(storage: ReturnType<typeof agentStorage>, sessionId: string, paused: boolean) {
  const runId = `run-${sessionId}`;
  await storage.sessions.create(sessionId, sessionId);
  await storage.runs.insert({ runId, sessionId, trigger: 'chat', startedMs: clock.nowMs(), model: null });
  const toolCalls = [{ tool: 'read_file', input: { path: 'a.md' } }];
  await storage.sessions.setLiveResponse(sessionId, { runId, content: '', toolCalls, updatedAt: 0 });
  if (!paused) return runId;
  await storage.runs.update(runId, { status: 'waiting_approval', approvalIds: ['approval'] });
  await storage.checkpoints.put({ runId, sessionId, state: { version: 1 }, updatedMs: clock.nowMs() });
  return runId;
}

function agentStorage() {
  const db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
  return {
    sessions: createSqliteSessionStore(db, clock),
    messages: createSqliteMessageStore(db, clock),
    runs: createSqliteRunStore(db),
    approvals: createSqliteApprovalStore(db),
    checkpoints: createSqliteRunCheckpointStore(db),
  };
}

describe('startOrphanSweeper', () => {
  it("keeps the live reply of a paused run whose holder's lease lapsed just after its restore found the session taken", async () => {
    const storage = agentStorage();
    const coordinator = createMemoryCoordinator(clock);
    const pausedRun = await deadRun(storage, 'paused', true);
    const cutRun = await deadRun(storage, 'cut', false);
    // The dead replica's lock, still held when the pass restores paused runs, lapses right after.
    const held = (await coordinator.tryLock(sessionRunLock('default', 'paused')))!;
    const agent = { id: 'default', storage, lease: () => ({ storage, [Symbol.dispose]: () => undefined }) };
    const secondPass = Promise.withResolvers<void>();
    let passes = 0;
    const sweeper = startOrphanSweeper({
      agents: { dataDir: '', ids: () => ['default'], get: () => agent, subscribe: () => () => undefined } as never,
      coordinator,
      logger: silentLogger,
      nowMs: clock.nowMs,
      everyMs: 10,
      async resumePaused() {
        passes += 1;
        if (passes === 1) await held.release();
        else secondPass.resolve();
        return 0;
      },
    });
    await secondPass.promise;
    sweeper.stop();

    expect((await storage.sessions.find('paused'))!.liveResponse).toMatchObject({ runId: pausedRun });
    expect(await storage.messages.list('paused')).toEqual([]);
    expect((await storage.runs.get(pausedRun))!.status).toBe('waiting_approval');
    // A run cut off without a pause is still kept as an interrupted reply.
    expect((await storage.sessions.find('cut'))!.liveResponse).toBeNull();
    expect(await storage.messages.list('cut')).toMatchObject([{ role: 'assistant', status: 'interrupted' }]);
    expect((await storage.runs.get(cutRun))!.status).toBe('interrupted');
  });
});
