// Approvals: a tool call that needs a decision waits here (stored, timed out, cancelled with its run) until one is taken.
import type { z } from 'zod';
import type { AgentHandle } from '../agents';
import { notFound } from '../shared/app-error';
import { newId } from '../shared/ids';
import { setLongTimeout } from '../shared/long-timeout';
import {
  auditDecision,
  decideForHolder,
  editedArgs,
  expireApproval,
  notPending,
  outcomeOfRecord,
  statusOf,
} from './approval-decisions';
import type { ApprovalOutcome } from './approval-decisions';
import type { ApprovalRecord, ApprovalStatus, NewApproval } from './approval-store.port';
import { isActiveRunStatus } from './run-store.port';

export type { ApprovalOutcome } from './approval-decisions';
export type {
  ApprovalRequest,
  ApprovalsService,
  ApprovalsServiceDeps,
  DecisionInput,
  ResumedApproval,
} from './approvals.service.types';
import type { ApprovalsService, ApprovalsServiceDeps, Ports, Waiter } from './approvals.service.types';

export function createApprovalsService(deps: ApprovalsServiceDeps): ApprovalsService {
  const waiters = new Map<string, Waiter>();
  /** Waits in this process per agent id (requested or resumed), for `maxPending`. */
  const waitsByAgent = new Map<string, number>();
  const countWait = (agentId: string, change: 1 | -1) => {
    const count = (waitsByAgent.get(agentId) ?? 0) + change;
    if (count > 0) waitsByAgent.set(agentId, count);
    else waitsByAgent.delete(agentId);
  };
  const key = (agentId: string, approvalId: string) => `${agentId}\n${approvalId}`;
  /** Approvals a restored run will wait for again, not waited for yet, by key: the run (a decision is kept for it). */
  const resuming = new Map<string, { readonly isFinished: boolean }>();

  /**
   * The wait of one approval: `store` runs first (and returns what to do once the approval can be decided);
   * then a decision through `decide`, the expiry at `expiresMs` or the run's `signal` settles it, once.
   */
  const wait = (
    agent: AgentHandle<Ports>,
    record: NewApproval,
    schema: z.ZodType,
    signal: AbortSignal,
    /** Stores the approval; what it returns announces it (told whether the wait is still on). */
    store: () => Promise<(isWaiting: () => boolean) => Promise<void>>,
    resumed = false,
  ): Promise<ApprovalOutcome> => {
    const { approvalId, createdMs } = record;
    const timeoutMs = record.expiresMs - createdMs;
    return new Promise<ApprovalOutcome>((resolve, reject) => {
      let timer: { clear(): void } | undefined;
      let poll: ReturnType<typeof setInterval> | undefined;
      let ended = false;
      countWait(agent.id, 1);
      const onAbort = () => void settle('cancelled', 'run', 'The run was cancelled.');
      const end = () => {
        if (!ended) countWait(agent.id, -1);
        ended = true;
        waiters.delete(key(agent.id, approvalId));
        timer?.clear();
        clearInterval(poll);
        signal.removeEventListener('abort', onAbort);
      };
      // A decision stored for this run's holder (by another replica, or here before the wait began): taken as written.
      const adopt = async () => {
        const stored = await agent.storage.approvals.get(approvalId);
        if (ended || !stored || stored.status === 'pending') return;
        end();
        resolve(outcomeOfRecord(stored));
      };
      const settle = async (
        status: Exclude<ApprovalStatus, 'pending'>,
        decidedBy: string,
        reason: string | null,
        args?: unknown,
      ) => {
        const decidedMs = deps.clock.nowMs();
        let stored: boolean;
        try {
          stored = await agent.storage.approvals.decide(approvalId, {
            status,
            decidedMs,
            decidedBy,
            reason,
            ...(status === 'edited' ? { editedArgs: args } : {}),
          });
        } catch (error) {
          // The agent was deleted (or its disk failed): a decision through the API fails as such, but the
          // run's wait ends anyway on a timeout or cancel, or the run would hold the agent for a day.
          if (decidedBy === 'api') throw error;
          deps.logger.warn('approval outcome not stored', { approval_id: approvalId, error: String(error) });
          stored = true;
        }
        if (!stored) {
          // Decided already (stored for the run's holder): a timeout or cancel takes that decision instead; if even
          // that cannot be read, the wait ends as the timeout or cancel would have ended it.
          if (decidedBy !== 'api')
            await adopt().catch((error: unknown) => {
              deps.logger.warn('approval not looked up', { approval_id: approvalId, error: String(error) });
              end();
              resolve({ status: status as 'expired' | 'cancelled', reason: reason ?? `The call was ${status}.` });
            });
          return false;
        }
        end();
        const runs = status === 'approved' || status === 'edited';
        await auditDecision(agent, record, { status, decidedBy, reason, decidedMs }, args).catch((error) =>
          deps.logger.warn('approval audit not written', { approval_id: approvalId, error: String(error) }),
        );
        resolve(
          runs
            ? { status, args: status === 'edited' ? args : record.args }
            : { status, reason: reason ?? `The call was ${status}.` },
        );
        return true;
      };
      void (async () => {
        const announce = await store();
        waiters.set(key(agent.id, approvalId), { agent, schema, settle });
        // timeout_seconds allows 30 days, past what setTimeout takes.
        timer = setLongTimeout(record.expiresMs - deps.clock.nowMs(), () => {
          void settle('expired', 'timeout', `Not decided within ${Math.round(timeoutMs / 1000)} s.`);
        });
        if (deps.sharedPollMs) {
          poll = setInterval(
            () =>
              void adopt().catch((error) =>
                deps.logger.warn('approval not looked up', { approval_id: approvalId, error: String(error) }),
              ),
            deps.sharedPollMs,
          );
          poll.unref?.();
        }
        if (signal.aborted) return void onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        // A resumed wait's decision may have been stored before it was listening (a restored run's first moments).
        if (resumed) await adopt();
        await announce(() => !ended);
      })().catch((error: unknown) => {
        // Not stored, or not announced: nothing waits, so the wait stops counting and its timers go, and a row
        // stored without its announcement is not left pending for a decision no one would take.
        end();
        reject(error);
        const why = 'The call could not wait for its decision.';
        // Best effort: a store that fails here leaves it pending, and a later decision finds no run and expires it.
        void expireApproval(agent.storage.approvals, approvalId, deps.clock.nowMs(), why).catch(() => undefined);
      });
    });
  };

  /**
   * No call waits for the approval here, yet a run will take up a decision stored for it: one this process restored
   * after a restart that has not reached its wait yet, or (shared storage) an active run a replica holds. A run still
   * `running` counts: its replica stores the approval before it marks the run waiting and writes the checkpoint, and
   * a decision read in between was stored `expired` while that run went on to wait for it.
   */
  const heldByRun = async (agent: AgentHandle<Ports>, approval: ApprovalRecord) => {
    const restored = resuming.get(key(agent.id, approval.approvalId));
    if (restored && !restored.isFinished) return true;
    resuming.delete(key(agent.id, approval.approvalId));
    if (!deps.sharedPollMs) return false;
    const run = await agent.storage.runs.get(approval.runId);
    return run !== null && isActiveRunStatus(run.status);
  };

  return {
    request(request) {
      const waiting = waitsByAgent.get(request.agent.id) ?? 0;
      if (waiting >= request.maxPending)
        return Promise.resolve({
          status: 'rejected',
          reason: `${waiting} calls of this agent already wait for a decision (tool_approvals.max_pending): decide or cancel them first.`,
        });
      const createdMs = deps.clock.nowMs();
      const record: NewApproval = {
        approvalId: newId(),
        runId: request.runId,
        sessionId: request.sessionId,
        trigger: request.trigger,
        tool: request.tool.name,
        args: request.args,
        permissionLevel: `L${request.tool.level}`,
        createdMs,
        expiresMs: createdMs + request.timeoutMs,
      };
      const { agent } = request;
      return wait(agent, record, request.tool.schema, request.signal, async () => {
        await agent.storage.approvals.insert(record);
        return async (isWaiting) => {
          const stored = await agent.storage.approvals.get(record.approvalId);
          // Decided, expired or cancelled meanwhile: nothing waits to be announced.
          if (stored?.status === 'pending' && isWaiting()) await request.onPending(stored);
        };
      });
    },

    willResume(agentId, approvalIds, run) {
      for (const approvalId of approvalIds) resuming.set(key(agentId, approvalId), run);
    },

    resume({ agent, approval, schema, signal }) {
      resuming.delete(key(agent.id, approval.approvalId));
      return wait(agent, approval, schema, signal, async () => async () => undefined, true);
    },

    async list(agentId, status, limit) {
      const agent = deps.agents.get(agentId);
      return { agentId: agent.id, approvals: await agent.storage.approvals.list({ status }, limit) };
    },

    async decide(agentId, approvalId, input) {
      const agent = deps.agents.get(agentId);
      const approval = await agent.storage.approvals.get(approvalId);
      if (!approval) throw notFound(`Approval not found: ${approvalId}`, { approval_id: approvalId });
      if (approval.status !== 'pending') throw notPending(approval);
      const waiter = waiters.get(key(agent.id, approvalId));
      if (!waiter) {
        if (await heldByRun(agent, approval))
          return decideForHolder(agent, approval, input, {
            nowMs: deps.clock.nowMs(),
            logger: deps.logger,
            schema: deps.toolSchema?.(agent, approval) ?? null,
          });
        // Stored as pending, yet no run waits for it (here, or paused on another replica): the run is gone.
        await expireApproval(
          agent.storage.approvals,
          approvalId,
          deps.clock.nowMs(),
          'The run that waited for it is gone.',
        );
        throw notPending({ ...approval, status: 'expired' });
      }
      const args = input.decision === 'edit' ? editedArgs(waiter.schema, input.args) : undefined;
      const status = statusOf(input.decision);
      const reason = input.reason?.trim() || null;
      if (!(await waiter.settle(status, 'api', reason, args))) {
        throw notPending((await agent.storage.approvals.get(approvalId)) ?? approval);
      }
      return { agentId: agent.id, approval: (await agent.storage.approvals.get(approvalId))! };
    },
  };
}
