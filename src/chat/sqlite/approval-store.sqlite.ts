// The SQLite ApprovalStore: the `approvals` table of agent.db (migration 9); rows become camelCase records here.
import type { Database } from 'bun:sqlite';
import type { ApprovalStore } from '../approval-store.port';
import { toApprovalRecord, type ApprovalRow } from '../run-rows';

/**
 * Pending approvals left by an earlier process expire: the runs that waited for them are gone. With
 * `keepPaused`, those of a checkpointed run stay pending (the run goes on once they are decided).
 */
export function expireOrphanedApprovals(db: Database, nowMs: number, reason: string, keepPaused = false): number {
  const kept = keepPaused ? ' AND run_id NOT IN (SELECT run_id FROM run_checkpoints)' : '';
  return db
    .query(
      `UPDATE approvals SET status = 'expired', decided_ms = ?, decided_by = 'server', reason = ? WHERE status = 'pending'${kept}`,
    )
    .run(nowMs, reason).changes;
}

export function createSqliteApprovalStore(db: Database): ApprovalStore {
  return {
    async insert(approval) {
      db.query(
        `INSERT INTO approvals (approval_id, run_id, session_id, trigger_type, tool, args, permission_level, status, created_ms, expires_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
      ).run(
        approval.approvalId,
        approval.runId,
        approval.sessionId,
        approval.trigger,
        approval.tool,
        JSON.stringify(approval.args ?? null),
        approval.permissionLevel,
        approval.createdMs,
        approval.expiresMs,
      );
    },
    async get(approvalId) {
      const row = db.query<ApprovalRow, [string]>('SELECT * FROM approvals WHERE approval_id = ?').get(approvalId);
      return row ? toApprovalRecord(row) : null;
    },
    async list(filter, limit) {
      const conditions: [string, string | undefined][] = [
        ['status = ?', filter.status],
        ['run_id = ?', filter.runId],
      ];
      const used = conditions.filter(([, value]) => value !== undefined) as [string, string][];
      const clause = used.length > 0 ? `WHERE ${used.map(([sql]) => sql).join(' AND ')}` : '';
      return db
        .query<ApprovalRow, (string | number)[]>(`SELECT * FROM approvals ${clause} ORDER BY seq DESC LIMIT ?`)
        .all(...used.map(([, value]) => value), limit)
        .map(toApprovalRecord);
    },
    async decide(approvalId, decision) {
      return (
        db
          .query(
            `UPDATE approvals SET status = ?, decided_ms = ?, decided_by = ?, reason = ?, edited_args = ?
             WHERE approval_id = ? AND status = 'pending'`,
          )
          .run(
            decision.status,
            decision.decidedMs,
            decision.decidedBy,
            decision.reason,
            decision.editedArgs === undefined ? null : JSON.stringify(decision.editedArgs),
            approvalId,
          ).changes > 0
      );
    },
    expirePending: async (nowMs, reason) => expireOrphanedApprovals(db, nowMs, reason),
  };
}
