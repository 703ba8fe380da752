// Puts the run's tool calls that need a decision (tool_approvals) on hold: approval_required, wait, then run, edit or refuse.
import type { AgentHandle } from '../agents';
import type { RuntimeConfig } from '../config';
import { toEpochSeconds } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { argumentsAccepted, type RunTools, type ToolPorts, type ToolsService, type TriggerType } from '../tools';
import type { ApprovalPorts, ApprovalRecord } from './approval-store.port';
import type { ApprovalsService } from './approvals.service';
import type { LiveRun } from './live-run';
import type { RunCheckpointPorts } from './run-checkpoint.port';
import type { RunCheckpointer } from './run-checkpointer';
import type { RunPorts, RunStore } from './run-store.port';

export interface ApprovalGateDeps {
  tools: Pick<ToolsService, 'approvalFor'>;
  approvals: ApprovalsService;
  agent: AgentHandle<RunPorts & ApprovalPorts & ToolPorts & RunCheckpointPorts>;
  run: LiveRun;
  /** Aborted when the run is cancelled or its agent deleted: it ends an approval wait. */
  signal: AbortSignal;
  sessionId: string;
  trigger: TriggerType;
  /** The config in force now, read for every call: a tool listed (or unlisted) in `tool_approvals` mid-run counts. */
  config: () => RuntimeConfig;
  logger: Logger;
  /** Writes the run's checkpoint while a call waits, so the paused run survives a restart. */
  checkpointer?: RunCheckpointer;
  /** Told when the run starts waiting (`true`) and when no call waits any more (`false`); failures are logged. */
  onWait?: (waiting: boolean, runId: string) => Promise<void> | void;
}

/** A tool result (the runner's JSON shape) for a call that did not run (or whose outcome is unknown). */
export function failedCall(tool: string, code: string, message: string, details: Record<string, unknown>): string {
  return JSON.stringify({
    ok: false,
    data: {},
    meta: { tool_name: tool, duration_ms: 0, truncated: false, warnings: [] },
    error: { code, message, retryable: false, details },
  });
}

/** A tool result saying the call did not run for want of an approval, and why. */
export function notRun(tool: string, status: string, reason: string, approvalId: string): string {
  return failedCall(tool, 'E_APPROVAL_REJECTED', `The call was not run: ${status}. ${reason}`.trim(), {
    approval_id: approvalId,
    status,
    reason,
  });
}

/**
 * Wraps `tools`: a call the run's `tool_approvals` list names is stored as a pending approval, announced with
 * an `approval_required` event, and the run is `waiting_approval` until it is decided. Approved calls run
 * through the runner as usual (policy, sandbox, audit), edited ones with the new arguments, and rejected,
 * expired or cancelled ones get a tool result that says so.
 */
export function approvalGate(tools: RunTools, deps: ApprovalGateDeps): RunTools {
  const { run, agent } = deps;
  const approvalIds: string[] = [];
  /** Calls of the run whose approval is stored and undecided (parallel calls of a step wait together). */
  let waiting = 0;
  /** Whether the run's row and `onWait` were last told that it waits. */
  let shown = false;
  let showing: Promise<void> = Promise.resolve();
  const runs = (): RunStore => agent.storage.runs;
  const tell = async (waiting: boolean) => {
    try {
      await deps.onWait?.(waiting, run.runId);
    } catch (error) {
      deps.logger.warn('approval wait not reported', { run_id: run.runId, error: String(error) });
    }
  };
  const setStatus = async (update: Parameters<RunStore['update']>[1]) => {
    try {
      await runs().update(run.runId, update);
    } catch (error) {
      deps.logger.warn('run status not written', { run_id: run.runId, error: String(error) });
    }
  };
  /**
   * Brings the run's row and `onWait` in line with `waiting`, one update after another in the order asked, so a
   * decision that lands while an update is written never leaves the row or the scheduler's record behind.
   */
  const show = () =>
    (showing = showing.then(async () => {
      const waits = waiting > 0;
      if (waits) await setStatus({ status: 'waiting_approval', approvalIds: [...approvalIds] });
      else if (shown && !run.signal.aborted) await setStatus({ status: 'running' });
      if (waits === shown) return;
      shown = waits;
      await tell(waits);
    }));
  return {
    offered: tools.offered,
    async execute(call) {
      const config = deps.config();
      // A call that can only fail (arguments too large, not a JSON object, off the tool's schema) is refused by
      // the runner at once, and audited, not first put to a person.
      const tool = deps.tools.approvalFor(call.name, deps.trigger, config);
      if (!tool || !argumentsAccepted(tool, call.args)) return tools.execute(call);
      let approvalId = '';
      let announced: Promise<void> | undefined;
      /** The call waits: the run's row and `onWait` say so, the checkpoint keeps it, then the client hears it. */
      const announce = async (approval: ApprovalRecord) => {
        await show();
        const publish = () =>
          run.publish({
            type: 'approval_required',
            data: {
              approval_id: approval.approvalId,
              run_id: run.runId,
              tool: call.name,
              args: call.args,
              permission_level: approval.permissionLevel,
              expires_at: toEpochSeconds(approval.expiresMs),
            },
          });
        if (deps.checkpointer) await deps.checkpointer.paused(call.callId, approval.approvalId, publish);
        else publish();
      };
      const outcome = await deps.approvals.request({
        agent,
        runId: run.runId,
        sessionId: deps.sessionId,
        trigger: deps.trigger,
        tool: { name: call.name, level: tool.level, schema: tool.schema },
        args: call.args,
        timeoutMs: config.tool_approvals.timeout_seconds * 1000,
        maxPending: config.tool_approvals.max_pending,
        // Cancelling the run, or deleting its agent, ends the wait (a deleted agent's lease must not wait a day).
        signal: deps.signal,
        onPending(approval) {
          approvalId = approval.approvalId;
          approvalIds.push(approval.approvalId);
          waiting += 1;
          announced = announce(approval);
          return announced;
        },
      });
      // A decision may land while the call is still being announced: the announcement ends first.
      await announced;
      await deps.checkpointer?.settled(call.callId);
      // A call refused at once (max_pending) never waited.
      if (approvalId) {
        waiting -= 1;
        await show();
      }
      if ('args' in outcome) return tools.execute({ ...call, args: outcome.args });
      return notRun(call.name, outcome.status, outcome.reason, approvalId);
    },
  };
}
