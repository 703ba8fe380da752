// What a decision on an approval means: the edit checked, the outcome a waiting call gets, the tool-audit row.
import { z } from 'zod';
import type { AgentHandle } from '../agents';
import { AppError, validationErrors } from '../shared/app-error';
import type { Logger } from '../shared/logger';
import { auditToolCall, capToolArguments, MAX_TOOL_ARGUMENTS_CHARS, strictArguments, type ToolPorts } from '../tools';
import type { ApprovalPorts, ApprovalRecord, ApprovalStatus, ApprovalStore, NewApproval } from './approval-store.port';

/** How a wait ended: the call runs (with these arguments) or it does not (and why). */
export type ApprovalOutcome =
  | { status: 'approved' | 'edited'; args: unknown }
  | { status: 'rejected' | 'expired' | 'cancelled'; reason: string };

/** The status a decision through the API stores. */
export const statusOf = (decision: 'approve' | 'edit' | 'reject') =>
  decision === 'approve' ? 'approved' : decision === 'edit' ? 'edited' : 'rejected';

/** 409: the approval was decided (or expired, or cancelled) already. */
export const notPending = (approval: ApprovalRecord) =>
  new AppError('approval_not_pending', `Approval ${approval.approvalId} is ${approval.status}.`, {
    approval_id: approval.approvalId,
    status: approval.status,
  });

/**
 * The arguments of an `edit`, checked against the tool's schema as the runner checks them (a key the tool does not
 * take is refused; any, when the tool is not known) and within the size the runner runs (its JSON at most
 * MAX_TOOL_ARGUMENTS_CHARS: past it the call was answered `edited`, then refused unrun). 422 otherwise.
 */
export function editedArgs(schema: z.ZodType | null, args: unknown): unknown {
  if (args !== undefined && capToolArguments(args) !== args)
    throw validationErrors([
      {
        field: 'args',
        message: `Arguments past ${MAX_TOOL_ARGUMENTS_CHARS} characters of JSON (or nested too deep), which the tool would not run`,
        code: 'too_long',
      },
    ]);
  const parsed = (schema ? strictArguments(schema) : z.unknown()).safeParse(args);
  if (args === undefined || !parsed.success)
    throw validationErrors(
      parsed.success
        ? [{ field: 'args', message: 'Field required for an edit', code: 'missing' }]
        : parsed.error.issues.map((issue) => ({
            field: ['args', ...issue.path.map(String)].join('.'),
            message: issue.message,
            code: issue.code,
          })),
    );
  return args;
}

/** The outcome a stored decision stands for (a decision taken by another replica, or before a restart). */
export function outcomeOfRecord(approval: ApprovalRecord): ApprovalOutcome {
  if (approval.status === 'approved') return { status: 'approved', args: approval.args };
  if (approval.status === 'edited') return { status: 'edited', args: approval.editedArgs };
  const status = approval.status === 'pending' ? 'expired' : approval.status;
  return { status, reason: approval.reason ?? `The call was ${status}.` };
}

/** The tool-audit row of a decision (who, when, why); a person's decision, not a model's call. Never throws synchronously. */
export async function auditDecision(
  agent: AgentHandle<ToolPorts>,
  record: NewApproval,
  decision: { status: Exclude<ApprovalStatus, 'pending'>; decidedBy: string; reason: string | null; decidedMs: number },
  args: unknown,
): Promise<void> {
  const { status, decidedBy, reason, decidedMs } = decision;
  const runs = status === 'approved' || status === 'edited';
  await auditToolCall(agent.storage.toolAudit, agent.root, {
    timestampMs: decidedMs,
    runId: record.runId,
    sessionId: record.sessionId,
    triggerType: record.trigger,
    toolName: record.tool,
    arguments: status === 'edited' ? args : record.args,
    outcome: runs ? 'ok' : 'denied',
    errorCode: `approval_${status}`,
    reason: `${status} by ${decidedBy}${reason ? `: ${reason}` : ''}`,
    durationMs: decidedMs - record.createdMs,
    model: null,
  });
}

/**
 * Stores the decision for the replica holding the run (it takes it up at its next look), audits it, and answers
 * with the stored approval; 409 when it was decided meanwhile.
 */
export async function decideForHolder(
  agent: AgentHandle<ToolPorts & ApprovalPorts>,
  approval: ApprovalRecord,
  input: { decision: 'approve' | 'edit' | 'reject'; args?: unknown; reason?: string },
  context: { nowMs: number; logger: Logger; schema: z.ZodType | null },
) {
  const args = input.decision === 'edit' ? editedArgs(context.schema, input.args) : undefined;
  const status = statusOf(input.decision);
  const decision = {
    status,
    decidedMs: context.nowMs,
    decidedBy: 'api',
    reason: input.reason?.trim() || null,
  } as const;
  const stored = await agent.storage.approvals.decide(approval.approvalId, {
    ...decision,
    ...(status === 'edited' ? { editedArgs: args } : {}),
  });
  if (!stored) throw notPending((await agent.storage.approvals.get(approval.approvalId)) ?? approval);
  await auditDecision(agent, approval, decision, args).catch((error) =>
    context.logger.warn('approval audit not written', { approval_id: approval.approvalId, error: String(error) }),
  );
  return { agentId: agent.id, approval: (await agent.storage.approvals.get(approval.approvalId))! };
}

/** Stores a pending approval as expired by the server, for `reason`; false when it was no longer pending. */
export function expireApproval(approvals: ApprovalStore, approvalId: string, nowMs: number, reason: string) {
  return approvals.decide(approvalId, { status: 'expired', decidedMs: nowMs, decidedBy: 'server', reason });
}
