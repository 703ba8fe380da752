// The chat domain's storage port for approvals: a tool call that waits for a person's decision, and the decision.

/** `pending` until decided; `expired` after the timeout (or when the run that waited is gone); `cancelled` with its run. */
export type ApprovalStatus = 'pending' | 'approved' | 'edited' | 'rejected' | 'expired' | 'cancelled';

export interface ApprovalRecord {
  approvalId: string;
  runId: string;
  sessionId: string;
  trigger: string;
  tool: string;
  /** The arguments the model sent. */
  args: unknown;
  /** `L0`..`L3`. */
  permissionLevel: string;
  status: ApprovalStatus;
  createdMs: number;
  expiresMs: number;
  decidedMs: number | null;
  /** Who decided: `api` for POST /api/approvals, `timeout`, `server` or `run` otherwise. */
  decidedBy: string | null;
  reason: string | null;
  /** The arguments an `edited` approval runs the call with. */
  editedArgs: unknown;
}

export type NewApproval = Omit<ApprovalRecord, 'status' | 'decidedMs' | 'decidedBy' | 'reason' | 'editedArgs'>;

export interface ApprovalDecision {
  status: Exclude<ApprovalStatus, 'pending'>;
  decidedMs: number;
  decidedBy: string;
  reason: string | null;
  editedArgs?: unknown;
}

export interface ApprovalStore {
  insert(approval: NewApproval): Promise<void>;
  get(approvalId: string): Promise<ApprovalRecord | null>;
  /** Newest first, at most `limit`. */
  list(filter: { status?: ApprovalStatus; runId?: string }, limit: number): Promise<ApprovalRecord[]>;
  /** Records the decision while the approval is pending; false when it was decided (or expired) before. */
  decide(approvalId: string, decision: ApprovalDecision): Promise<boolean>;
  /** Every pending approval becomes `expired` by `server` with `reason`; returns how many. */
  expirePending(nowMs: number, reason: string): Promise<number>;
}

export interface ApprovalPorts {
  approvals: ApprovalStore;
}
