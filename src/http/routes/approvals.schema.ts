// Wire shapes of /api/approvals: an approval as JSON, the list query, the decision body.
import { t } from 'elysia';
import type { ApprovalRecord } from '../../chat';
import { toEpochSeconds } from '../../shared/clock';
import { AgentIdQuery, ok } from '../schemas';

const ApprovalStatusSchema = t.Union([
  t.Literal('pending'),
  t.Literal('approved'),
  t.Literal('edited'),
  t.Literal('rejected'),
  t.Literal('expired'),
  t.Literal('cancelled'),
]);

export const ApprovalParams = t.Object({ approval_id: t.String({ minLength: 1, maxLength: 100 }) });
export const ApprovalQuery = t.Object({ agent_id: AgentIdQuery });
export const ApprovalListQuery = t.Object({
  agent_id: AgentIdQuery,
  status: t.Optional(ApprovalStatusSchema),
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 500, default: 100 })),
});

export const DecisionBody = t.Object({
  decision: t.Union([t.Literal('approve'), t.Literal('edit'), t.Literal('reject')]),
  args: t.Optional(t.Any({ description: "For `edit`: the call's new arguments (checked against the tool's schema)" })),
  reason: t.Optional(t.String({ maxLength: 2000 })),
});

export const Approval = t.Object(
  {
    approval_id: t.String(),
    agent_id: t.String(),
    run_id: t.String(),
    session_id: t.String(),
    trigger: t.String(),
    tool: t.String(),
    args: t.Any(),
    permission_level: t.String({ description: 'L0..L3' }),
    status: ApprovalStatusSchema,
    created_at: t.Number({ description: 'Epoch seconds' }),
    expires_at: t.Number({ description: 'Epoch seconds' }),
    decided_at: t.Union([t.Number(), t.Null()]),
    decided_by: t.Union([t.String(), t.Null()], { description: '`api`, `timeout`, `run` (cancelled) or `server`' }),
    reason: t.Union([t.String(), t.Null()]),
    edited_args: t.Any(),
  },
  { $id: '#/components/schemas/Approval' },
);

export const ApprovalAnswer = ok(Approval);
export const ApprovalList = ok(t.Object({ agent_id: t.String(), approvals: t.Array(Approval), count: t.Integer() }));

export const toWireApproval = (agentId: string, approval: ApprovalRecord) => ({
  approval_id: approval.approvalId,
  agent_id: agentId,
  run_id: approval.runId,
  session_id: approval.sessionId,
  trigger: approval.trigger,
  tool: approval.tool,
  args: approval.args,
  permission_level: approval.permissionLevel,
  status: approval.status,
  created_at: toEpochSeconds(approval.createdMs),
  expires_at: toEpochSeconds(approval.expiresMs),
  decided_at: approval.decidedMs === null ? null : toEpochSeconds(approval.decidedMs),
  decided_by: approval.decidedBy,
  reason: approval.reason,
  edited_args: approval.editedArgs ?? null,
});
