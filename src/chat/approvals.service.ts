// Approvals: a tool call that needs a decision waits here (stored, timed out, cancelled with its run) until one is taken.
import type { z } from 'zod';
import type { AgentDirectory, AgentHandle } from '../agents';
import { AppError, notFound, validationErrors } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { newId } from '../shared/ids';
import type { Logger } from '../shared/logger';
import { auditToolCall, type ToolPorts } from '../tools';
import type { ApprovalPorts, ApprovalRecord, ApprovalStatus } from './approval-store.port';

type Ports = ApprovalPorts & ToolPorts;

/** The longest delay setTimeout honours; a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** How a wait ended: the call runs (with these arguments) or it does not (and why). */
export type ApprovalOutcome =
  | { status: 'approved' | 'edited'; args: unknown }
  | { status: 'rejected' | 'expired' | 'cancelled'; reason: string };

export interface ApprovalRequest {
  agent: AgentHandle<Ports>;
  runId: string;
  sessionId: string;
  trigger: string;
  tool: { name: string; level: number; schema: z.ZodType };
  args: unknown;
  timeoutMs: number;
  /** The run's signal: a cancelled run cancels its pending approvals. */
  signal: AbortSignal;
  /** Called once the approval is stored, before anyone can decide it. */
  onPending(approval: ApprovalRecord): Promise<void> | void;
}

export interface DecisionInput {
  decision: 'approve' | 'edit' | 'reject';
  args?: unknown;
  reason?: string;
}

export interface ApprovalsService {
  /** Stores a pending approval and resolves when it is decided, expires, or its run is cancelled. */
  request(request: ApprovalRequest): Promise<ApprovalOutcome>;
  list(
    agentId: string | undefined,
    status: ApprovalStatus | undefined,
    limit: number,
  ): Promise<{ agentId: string; approvals: ApprovalRecord[] }>;
  /**
   * Decides a pending approval once (decider `api`) and lets its run go on. 404 unknown; 409
   * `approval_not_pending` when decided or expired before; 422 for `edit` arguments the tool's schema refuses.
   */
  decide(
    agentId: string | undefined,
    approvalId: string,
    input: DecisionInput,
  ): Promise<{ agentId: string; approval: ApprovalRecord }>;
}

interface Waiter {
  agent: AgentHandle<Ports>;
  schema: z.ZodType;
  settle(
    status: Exclude<ApprovalStatus, 'pending'>,
    decidedBy: string,
    reason: string | null,
    args?: unknown,
  ): Promise<boolean>;
}

export function createApprovalsService(deps: {
  agents: AgentDirectory<Ports>;
  clock: Clock;
  logger: Logger;
}): ApprovalsService {
  const waiters = new Map<string, Waiter>();
  const key = (agentId: string, approvalId: string) => `${agentId}\n${approvalId}`;

  const notPending = (approval: ApprovalRecord) =>
    new AppError('approval_not_pending', `Approval ${approval.approvalId} is ${approval.status}.`, {
      approval_id: approval.approvalId,
      status: approval.status,
    });

  return {
    request(request) {
      const { agent } = request;
      const createdMs = deps.clock.nowMs();
      const approvalId = newId();
      const record = {
        approvalId,
        runId: request.runId,
        sessionId: request.sessionId,
        trigger: request.trigger,
        tool: request.tool.name,
        args: request.args,
        permissionLevel: `L${request.tool.level}`,
        createdMs,
        expiresMs: createdMs + request.timeoutMs,
      };
      return new Promise<ApprovalOutcome>((resolve, reject) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const onAbort = () => void settle('cancelled', 'run', 'The run was cancelled.');
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
          if (!stored) return false;
          waiters.delete(key(agent.id, approvalId));
          clearTimeout(timer);
          request.signal.removeEventListener('abort', onAbort);
          const runs = status === 'approved' || status === 'edited';
          await Promise.resolve()
            .then(() =>
              auditToolCall(agent.storage.toolAudit, agent.root, {
                timestampMs: decidedMs,
                runId: request.runId,
                sessionId: request.sessionId,
                triggerType: request.trigger,
                toolName: request.tool.name,
                arguments: status === 'edited' ? args : request.args,
                outcome: runs ? 'ok' : 'denied',
                errorCode: `approval_${status}`,
                reason: `${status} by ${decidedBy}${reason ? `: ${reason}` : ''}`,
                durationMs: decidedMs - createdMs,
                // A person's decision, not a model's call.
                model: null,
              }),
            )
            .catch((error) =>
              deps.logger.warn('approval audit not written', { approval_id: approvalId, error: String(error) }),
            );
          resolve(
            runs
              ? { status, args: status === 'edited' ? args : request.args }
              : { status, reason: reason ?? `The call was ${status}.` },
          );
          return true;
        };
        void (async () => {
          await agent.storage.approvals.insert(record);
          waiters.set(key(agent.id, approvalId), { agent, schema: request.tool.schema, settle });
          // setTimeout fires at once past 2^31-1 ms (24.8 days; timeout_seconds allows 30): a long wait goes in hops.
          let remaining = request.timeoutMs;
          const arm = () => {
            const hop = Math.min(remaining, MAX_TIMER_MS);
            remaining -= hop;
            timer = setTimeout(() => {
              if (remaining > 0) return arm();
              void settle('expired', 'timeout', `Not decided within ${Math.round(request.timeoutMs / 1000)} s.`);
            }, hop);
            timer.unref?.();
          };
          arm();
          if (request.signal.aborted) return void onAbort();
          request.signal.addEventListener('abort', onAbort, { once: true });
          const stored = await agent.storage.approvals.get(approvalId);
          if (stored) await request.onPending(stored);
        })().catch(reject);
      });
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
        // Stored as pending, yet no run of this process waits for it: the run is gone.
        await agent.storage.approvals.decide(approvalId, {
          status: 'expired',
          decidedMs: deps.clock.nowMs(),
          decidedBy: 'server',
          reason: 'The run that waited for it is gone.',
        });
        throw notPending({ ...approval, status: 'expired' });
      }
      let args: unknown;
      if (input.decision === 'edit') {
        const parsed = waiter.schema.safeParse(input.args);
        if (input.args === undefined || !parsed.success)
          throw validationErrors(
            parsed.success
              ? [{ field: 'args', message: 'Field required for an edit', code: 'missing' }]
              : parsed.error.issues.map((issue) => ({
                  field: ['args', ...issue.path.map(String)].join('.'),
                  message: issue.message,
                  code: issue.code,
                })),
          );
        args = input.args;
      }
      const status = input.decision === 'approve' ? 'approved' : input.decision === 'edit' ? 'edited' : 'rejected';
      const reason = input.reason?.trim() || null;
      if (!(await waiter.settle(status, 'api', reason, args))) {
        throw notPending((await agent.storage.approvals.get(approvalId)) ?? approval);
      }
      return { agentId: agent.id, approval: (await agent.storage.approvals.get(approvalId))! };
    },
  };
}
