// Rows of the `runs` and `approvals` tables as both adapters read them (SQLite numbers, PostgreSQL int8 as strings), as records.
import type { ApprovalRecord, ApprovalStatus } from './approval-store.port';
import type { RunRecord, RunStatus } from './run-store.port';

/** An integer column: a number from SQLite, a string from PostgreSQL's int8. */
type Int = number | string;

const int = (value: Int): number => Number(value);
const intOrNull = (value: Int | null): number | null => (value === null ? null : Number(value));

export interface RunRow {
  seq: Int;
  run_id: string;
  session_id: string;
  trigger_type: string;
  status: string;
  started_ms: Int;
  finished_ms: Int | null;
  model: string | null;
  attempts: number;
  usage: string | null;
  error: string | null;
  approval_ids: string;
}

export const toRunRecord = (row: RunRow): RunRecord => ({
  runId: row.run_id,
  sessionId: row.session_id,
  trigger: row.trigger_type,
  status: row.status as RunStatus,
  startedMs: int(row.started_ms),
  finishedMs: intOrNull(row.finished_ms),
  model: row.model,
  attempts: row.attempts,
  usage: row.usage === null ? null : (JSON.parse(row.usage) as Record<string, unknown>),
  error: row.error === null ? null : (JSON.parse(row.error) as RunRecord['error']),
  approvalIds: JSON.parse(row.approval_ids) as string[],
});

/** The paging cursor of a run row. */
export const runSeq = (row: RunRow): number => int(row.seq);

export interface ApprovalRow {
  approval_id: string;
  run_id: string;
  session_id: string;
  trigger_type: string;
  tool: string;
  args: string;
  permission_level: string;
  status: string;
  created_ms: Int;
  expires_ms: Int;
  decided_ms: Int | null;
  decided_by: string | null;
  reason: string | null;
  edited_args: string | null;
}

export const toApprovalRecord = (row: ApprovalRow): ApprovalRecord => ({
  approvalId: row.approval_id,
  runId: row.run_id,
  sessionId: row.session_id,
  trigger: row.trigger_type,
  tool: row.tool,
  args: JSON.parse(row.args),
  permissionLevel: row.permission_level,
  status: row.status as ApprovalStatus,
  createdMs: int(row.created_ms),
  expiresMs: int(row.expires_ms),
  decidedMs: intOrNull(row.decided_ms),
  decidedBy: row.decided_by,
  reason: row.reason,
  editedArgs: row.edited_args === null ? null : JSON.parse(row.edited_args),
});
