// The approvals service's public shapes: what a waiting call asks, what a decision says, and the service itself.
import type { z } from 'zod';
import type { AgentDirectory, AgentHandle } from '../agents';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import type { ToolPorts } from '../tools';
import type { ApprovalOutcome } from './approval-decisions';
import type { ApprovalPorts, ApprovalRecord, ApprovalStatus } from './approval-store.port';
import type { RunCheckpointPorts } from './run-checkpoint.port';
import type { RunPorts } from './run-store.port';

/** The storage ports an approval's agent has. */
export type Ports = ApprovalPorts & ToolPorts & RunPorts & RunCheckpointPorts;

export interface ApprovalRequest {
  agent: AgentHandle<Ports>;
  runId: string;
  sessionId: string;
  trigger: string;
  tool: { name: string; level: number; schema: z.ZodType };
  args: unknown;
  timeoutMs: number;
  /** How many calls of the agent may wait in this process at once (`tool_approvals.max_pending`). */
  maxPending: number;
  /** The run's signal: a cancelled run cancels its pending approvals. */
  signal: AbortSignal;
  /** Called once the approval is stored, before anyone can decide it. */
  onPending(approval: ApprovalRecord): Promise<void> | void;
}

export interface ResumedApproval {
  agent: AgentHandle<Ports>;
  approval: ApprovalRecord;
  /** The tool's argument schema (edits are checked against it). */
  schema: z.ZodType;
  signal: AbortSignal;
}

export interface DecisionInput {
  decision: 'approve' | 'edit' | 'reject';
  args?: unknown;
  reason?: string;
}

export interface ApprovalsService {
  /** Stores a pending approval and resolves when it is decided, expires, or its run is cancelled. */
  request(request: ApprovalRequest): Promise<ApprovalOutcome>;
  /**
   * Waits again, after a restart, for an approval stored `pending` by an earlier process: decided through the
   * API, expired at its `expiresMs` (at once when that has passed), or cancelled with `signal`.
   */
  resume(request: ResumedApproval): Promise<ApprovalOutcome>;
  /**
   * A run restored after a restart will wait again for these approvals (`resume`) once its turn reaches them: a
   * decision sent before then is stored for it while `run` has not finished.
   */
  willResume(agentId: string, approvalIds: readonly string[], run: { readonly isFinished: boolean }): void;
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

export interface ApprovalsServiceDeps {
  agents: AgentDirectory<Ports>;
  clock: Clock;
  logger: Logger;
  /**
   * With storage several replicas share: how often a waiting call looks for a decision another replica
   * stored, and a decision for a paused run held elsewhere is stored for it (null or absent: one process).
   */
  sharedPollMs?: number | null;
  /** The argument schema of an approval's tool (an edit taken where no call waits is checked against it). */
  toolSchema?: (agent: AgentHandle<Ports>, approval: ApprovalRecord) => z.ZodType | null;
}

/** A call waiting for its approval in this process: how a decision through the API reaches it. */
export interface Waiter {
  agent: AgentHandle<Ports>;
  schema: z.ZodType;
  settle(
    status: Exclude<ApprovalStatus, 'pending'>,
    decidedBy: string,
    reason: string | null,
    args?: unknown,
  ): Promise<boolean>;
}
