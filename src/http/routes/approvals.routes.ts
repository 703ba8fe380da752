// /api/approvals: tool calls waiting for a decision (tool_approvals), and the decision that lets their run go on.
import { Elysia } from 'elysia';
import type { ApprovalsService } from '../../chat';
import { errors } from '../schemas';
import {
  ApprovalAnswer,
  ApprovalList,
  ApprovalListQuery,
  ApprovalParams,
  ApprovalQuery,
  DecisionBody,
  toWireApproval,
} from './approvals.schema';

export function approvalRoutes(approvals: Pick<ApprovalsService, 'list' | 'decide'>) {
  return new Elysia({ prefix: '/api/approvals', detail: { tags: ['approvals'] } })
    .get(
      '',
      async ({ query }) => {
        const { agentId, approvals: rows } = await approvals.list(query.agent_id, query.status, query.limit ?? 100);
        const items = rows.map((row) => toWireApproval(agentId, row));
        return { data: { agent_id: agentId, approvals: items, count: items.length } };
      },
      {
        query: ApprovalListQuery,
        response: { 200: ApprovalList, ...errors(400, 401, 404, 422, 429, 500) },
        detail: { summary: 'Approvals of an agent, newest first (`status=pending`: the calls waiting now)' },
      },
    )
    .post(
      '/:approval_id',
      async ({ params, query, body }) => {
        const { agentId, approval } = await approvals.decide(query.agent_id, params.approval_id, body);
        return { data: toWireApproval(agentId, approval) };
      },
      {
        params: ApprovalParams,
        query: ApprovalQuery,
        body: DecisionBody,
        response: { 200: ApprovalAnswer, ...errors(400, 401, 404, 409, 422, 429, 500) },
        detail: {
          summary: 'Approve, edit or reject a waiting tool call',
          description:
            'Decides once: the run resumes in the same run id and stream. `approve` runs the call through the normal policy and sandbox; `edit` runs it with `args` (checked against the tool schema, 422 otherwise); `reject` gives the model a tool result saying it was rejected and why. 409 `approval_not_pending` when already decided, expired or cancelled. Every decision is in the tool audit (decider `api`, time, reason). A run paused before a server restart was checkpointed and still waits: the decision resumes it in the same run id (`GET /api/runs/{run_id}/events` streams it), with event numbers going on from before the restart.',
        },
      },
    );
}
