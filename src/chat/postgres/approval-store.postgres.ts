// PostgreSQL adapter of ApprovalStore: one agent's rows of the shared `approvals` table (migration 4).
import type { SQL } from 'bun';
import type { ApprovalStore } from '../approval-store.port';
import { toApprovalRecord, type ApprovalRow } from '../run-rows';

/** The approvals of agent `agentId` in the shared database; a decision is one conditional UPDATE, so it is taken once across replicas. */
export function createPostgresApprovalStore(sql: SQL, agentId: string): ApprovalStore {
  return {
    async insert(approval) {
      await sql`INSERT INTO approvals (agent_id, approval_id, run_id, session_id, trigger_type, tool, args, permission_level,
          status, created_ms, expires_ms)
        VALUES (${agentId}, ${approval.approvalId}, ${approval.runId}, ${approval.sessionId}, ${approval.trigger},
          ${approval.tool}, ${JSON.stringify(approval.args ?? null)}, ${approval.permissionLevel}, 'pending',
          ${approval.createdMs}, ${approval.expiresMs})`;
    },
    async get(approvalId) {
      const [row]: ApprovalRow[] =
        await sql`SELECT * FROM approvals WHERE agent_id = ${agentId} AND approval_id = ${approvalId}`;
      return row ? toApprovalRecord(row) : null;
    },
    async list(filter, limit) {
      const status = filter.status === undefined ? sql`` : sql`AND status = ${filter.status}`;
      const run = filter.runId === undefined ? sql`` : sql`AND run_id = ${filter.runId}`;
      const rows: ApprovalRow[] = await sql`SELECT * FROM approvals WHERE agent_id = ${agentId} ${status} ${run}
        ORDER BY seq DESC LIMIT ${limit}`;
      return rows.map(toApprovalRecord);
    },
    async decide(approvalId, decision) {
      const edited = decision.editedArgs === undefined ? null : JSON.stringify(decision.editedArgs);
      const changed = await sql`UPDATE approvals SET status = ${decision.status}, decided_ms = ${decision.decidedMs},
          decided_by = ${decision.decidedBy}, reason = ${decision.reason}, edited_args = ${edited}
        WHERE agent_id = ${agentId} AND approval_id = ${approvalId} AND status = 'pending'`;
      return changed.count > 0;
    },
    async expirePending(nowMs, reason) {
      const changed = await sql`UPDATE approvals SET status = 'expired', decided_ms = ${nowMs}, decided_by = 'server',
          reason = ${reason}
        WHERE agent_id = ${agentId} AND status = 'pending'`;
      return changed.count;
    },
  };
}
