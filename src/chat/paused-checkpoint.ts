// Whether a paused run's checkpoint can restore it, read under the session's lock; a run it cannot restore ends.
import type { SessionStore } from '../sessions';
import { expireApproval } from './approval-decisions';
import type { ApprovalPorts } from './approval-store.port';
import type { RunCheckpointPorts } from './run-checkpoint.port';
import type { PausedTurn } from './run-checkpointer';
import type { RunPorts } from './run-store.port';

export type PausedCheckpointPorts = RunPorts &
  ApprovalPorts &
  RunCheckpointPorts & { sessions: Pick<SessionStore, 'recoverInterrupted'> };

/**
 * What the restore itself reads of a checkpoint: one of another version (a newer release's, read after a
 * downgrade) or damaged on disk would fail it halfway (a checkpoint without its approvals threw after the
 * agent was leased for the run, and kept it open for good).
 */
function isRestorable(state: unknown): state is PausedTurn {
  if (typeof state !== 'object' || state === null) return false;
  const { version, message, nextSeq, approvals } = state as Partial<Record<keyof PausedTurn, unknown>>;
  return (
    version === 1 &&
    typeof message === 'string' &&
    Number.isSafeInteger(nextSeq) &&
    (nextSeq as number) >= 1 &&
    typeof approvals === 'object' &&
    approvals !== null &&
    !Array.isArray(approvals) &&
    Object.values(approvals).every((approvalId) => typeof approvalId === 'string')
  );
}

/**
 * The checkpoint of `runId` while its run waits for approvals. A checkpoint left by a run that no longer waits goes;
 * one that cannot restore its waiting run goes too, and the run ends `interrupted` as a run of a stopped process
 * does (its live snapshot an interrupted reply, its pending approvals expired), instead of waiting for good.
 * Called with the session's lock held.
 */
export async function stillPaused(
  storage: PausedCheckpointPorts,
  runId: string,
  sessionId: string,
  nowMs: number,
): Promise<PausedTurn | undefined> {
  const checkpoint = await storage.checkpoints.get(runId);
  const row = await storage.runs.get(runId);
  if (row?.status === 'waiting_approval' && isRestorable(checkpoint?.state)) return checkpoint.state;
  if (checkpoint) await storage.checkpoints.delete(runId);
  if (row?.status !== 'waiting_approval') return undefined;
  await storage.sessions.recoverInterrupted([sessionId]);
  if (!(await storage.runs.update(runId, { status: 'interrupted', finishedMs: nowMs }))) return undefined;
  for (const approval of await storage.approvals.list({ status: 'pending', runId }, 200))
    await expireApproval(storage.approvals, approval.approvalId, nowMs, 'its checkpoint could not be read');
  return undefined;
}
