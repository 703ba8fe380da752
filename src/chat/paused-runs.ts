// Runs paused for approvals when the server stopped: restored from their checkpoints, waiting again, going on once decided.
import { z } from 'zod';
import type { AgentDirectory, AgentHandle } from '../agents';
import type { RuntimeConfig } from '../config';
import { isAppError } from '../shared/app-error';
import { followSignals } from '../shared/follow-signals';
import { toEpochSeconds } from '../shared/clock';
import type { Logger } from '../shared/logger';
import type { RunTools, ToolPorts, ToolsService } from '../tools';
import { outcomeOfRecord } from './approval-decisions';
import { failedCall, notRun } from './approval-gate';
import type { ApprovalOutcome, ApprovalsService } from './approvals.service';
import type { ChatEvent } from './chat-events';
import type { LiveRun } from './live-run';
import { runRoutedTurn, type RoutedTurnInput } from './model-router';
import { type PausedCheckpointPorts, stillPaused } from './paused-checkpoint';
import type { PausedTurn, TurnStep } from './run-checkpointer';
import type { AgentTurnResult } from './run-agent';
import type { RunRegistry } from './run-registry';
import type { RecorderState } from './turn-recorder';

type Ports = PausedCheckpointPorts & ToolPorts;

/** Checkpoints looked at per agent when the server starts. */
const RESTORE_LIMIT = 1000;

export interface RestoreDeps<P extends Ports> {
  agents: AgentDirectory<P>;
  registry: RunRegistry;
  logger: Logger;
  nowMs: () => number;
  /** Goes on with the restored run (in the background); `agent` is leased for it. */
  start(agent: AgentHandle<P>, run: LiveRun, sessionId: string, state: PausedTurn): void;
}

/**
 * For every agent, the runs whose checkpoint says they wait for approvals take their session again (same
 * run id, events numbered on) and go on in the background. A checkpoint whose run is no longer waiting goes.
 */
export async function restorePausedRuns<P extends Ports>(
  deps: RestoreDeps<P>,
  agentIds: readonly string[] = deps.agents.ids(),
): Promise<number> {
  let restored = 0;
  for (const agentId of agentIds) {
    try {
      const agent = deps.agents.get(agentId);
      for (const { runId, sessionId } of await agent.storage.checkpoints.list(RESTORE_LIMIT)) {
        let state: PausedTurn | undefined;
        // Read under the session's lock: another replica (shared storage) may have restored and finished the run
        // since the list; while one holds the session (its run among them), it is taken.
        const run = await deps.registry
          .restore(agentId, sessionId, runId, async () => {
            state = await stillPaused(agent.storage, runId, sessionId, deps.nowMs());
            return state ? { message: state.message, firstSeq: state.nextSeq } : null;
          })
          .catch((error: unknown) => {
            if (isAppError(error) && error.code === 'session_busy') return null;
            throw error;
          });
        if (!run || !state) continue;
        try {
          deps.start(agent, run, sessionId, state);
        } catch (error) {
          // Not started (its agent deleted since the list: no lease): the run ends here and lets the session go.
          run.finish();
          throw error;
        }
        restored += 1;
      }
    } catch (error) {
      deps.logger.warn('paused runs of an agent not restored', { agent_id: agentId, error: String(error) });
    }
  }
  return restored;
}

export interface DecidedCallsInput {
  agent: AgentHandle<Ports>;
  run: LiveRun;
  state: PausedTurn;
  approvals: ApprovalsService;
  tools: Pick<ToolsService, 'approvalFor'>;
  /** The run's tools without the approval gate: decided calls run through the policy and sandbox as usual. */
  runTools: RunTools;
  config: RuntimeConfig;
  nowMs: () => number;
}

/**
 * The recorder of a restored run, as the events of its steps would have left it: one segment per model step
 * (its text and tool calls, with the results already in), the last one still open for the results to come.
 */
export function restoredRecorder(state: PausedTurn): RecorderState {
  const results = new Map<string, string>();
  for (const step of state.steps) if (step.role === 'tool') results.set(step.toolCallId, step.content);
  const segments = state.steps.flatMap((step) =>
    step.role === 'assistant'
      ? [
          {
            content: step.content,
            toolCalls: step.toolCalls.map((call) => ({
              tool: call.name,
              input: call.args,
              ...(results.has(call.id) ? { output: results.get(call.id) } : {}),
            })),
          },
        ]
      : [],
  );
  const current = segments.pop() ?? { content: '', toolCalls: [] };
  return { segments, current, runId: state.attemptRunId };
}

/** A tool result for a call that was running when the server stopped: its outcome is unknown. */
const cutOff = (tool: string): string =>
  failedCall(tool, 'E_INTERRUPTED', 'The server restarted while this call ran; whether it finished is unknown.', {});

/**
 * The first part of a restored run: waits for its pending approvals (announced again with
 * `approval_required`), runs the approved and edited calls, answers the others, and yields their `tool_end`
 * events. Returns the steps the model loop goes on from, or the turn's result when the run was cancelled.
 */
export async function* decidedCalls(
  input: DecidedCallsInput,
): AsyncGenerator<ChatEvent, { steps: TurnStep[] } | { ended: AgentTurnResult }> {
  const { agent, run, state } = input;
  const steps = [...state.steps];
  const lastIndex = steps.findLastIndex((step) => step.role === 'assistant');
  const last = steps[lastIndex];
  const calls = last?.role === 'assistant' ? last.toolCalls : [];
  const answered = new Set(
    steps.slice(lastIndex + 1).flatMap((step) => (step.role === 'tool' ? [step.toolCallId] : [])),
  );
  const waiting = calls.flatMap((call) => {
    const approvalId = state.approvals[call.id];
    return approvalId && !answered.has(call.id) ? [{ call, approvalId }] : [];
  });
  await countAnnouncements(
    input,
    waiting.map(({ approvalId }) => approvalId),
  );
  const outcomes = new Map<string, Promise<ApprovalOutcome & { approvalId: string }>>();
  for (const { call, approvalId } of waiting) outcomes.set(call.id, outcomeOf(input, approvalId, call.name));
  const decided = new Map<string, ApprovalOutcome & { approvalId: string }>();
  for (const [callId, outcome] of outcomes) decided.set(callId, await outcome);
  if (run.signal.aborted) {
    const message = 'The run was cancelled.';
    yield { type: 'error', data: { error: message, run_id: state.attemptRunId, attempt: 1, code: 'cancelled' } };
    const content = state.steps
      .flatMap((step) => (step.role === 'assistant' ? [step.content] : []))
      .join('')
      .trim();
    return {
      ended: { ok: false, content, runId: state.attemptRunId, usage: null, error: { code: 'cancelled', message } },
    };
  }
  await agent.storage.runs.update(run.runId, { status: 'running' });
  for (const call of calls) {
    if (answered.has(call.id)) continue;
    const outcome = decided.get(call.id);
    const content = !outcome
      ? cutOff(call.name)
      : 'args' in outcome
        ? await input.runTools.execute({
            name: call.name,
            args: outcome.args,
            runId: state.attemptRunId,
            signal: run.signal,
            callId: call.id,
          })
        : notRun(call.name, outcome.status, outcome.reason, outcome.approvalId);
    steps.push({ role: 'tool', toolCallId: call.id, name: call.name, content });
    yield { type: 'tool_end', data: { run_id: state.attemptRunId, tool: call.name, output: content } };
  }
  return { steps };
}

/**
 * Before the restored run says `approval_required` again for the approvals still pending, its checkpoint counts
 * those events: stopped again before the decision, the next restore numbers its events past them, where it used
 * to number them as ones the client had heard (a rejoin from the last of them was refused).
 */
async function countAnnouncements(input: DecidedCallsInput, approvalIds: string[]): Promise<void> {
  const { agent, run } = input;
  let pending = 0;
  for (const approvalId of approvalIds)
    if ((await agent.storage.approvals.get(approvalId))?.status === 'pending') pending += 1;
  const checkpoint = await agent.storage.checkpoints.get(run.runId);
  if (pending === 0 || !checkpoint) return;
  const state = { ...(checkpoint.state as PausedTurn), nextSeq: run.nextSeq + pending };
  await agent.storage.checkpoints.put({ ...checkpoint, state, updatedMs: input.nowMs() });
}

/** How the approval of one call ends: waited for again while pending, or as it was decided meanwhile. */
async function outcomeOf(
  input: DecidedCallsInput,
  approvalId: string,
  tool: string,
): Promise<ApprovalOutcome & { approvalId: string }> {
  const { agent, run } = input;
  const approval = await agent.storage.approvals.get(approvalId);
  if (!approval) return { status: 'expired', reason: 'The approval is gone.', approvalId };
  // Decided meanwhile (on another replica before this one restored the run).
  if (approval.status !== 'pending') return { ...outcomeOfRecord(approval), approvalId };
  run.publish({
    type: 'approval_required',
    data: {
      approval_id: approval.approvalId,
      run_id: approval.runId,
      tool: approval.tool,
      args: approval.args,
      permission_level: approval.permissionLevel,
      expires_at: toEpochSeconds(approval.expiresMs),
    },
  });
  const schema = input.tools.approvalFor(tool, input.state.trigger, input.config)?.schema;
  const outcome = await input.approvals.resume({
    agent,
    approval,
    // A tool no longer held for approval (the config changed): edits are checked by the runner when it runs.
    schema: schema ?? z.unknown(),
    signal: followSignals([run.signal, agent.signal], run.done),
  });
  return { ...outcome, approvalId };
}

/** A restored paused run: its decided calls first, then the model loop from there (same run id). */
export async function* resumedTurn(
  input: DecidedCallsInput,
  turn: RoutedTurnInput,
): AsyncGenerator<ChatEvent, AgentTurnResult> {
  const decided = yield* decidedCalls(input);
  if ('ended' in decided) return decided.ended;
  // From here the run goes on as any: a restart now interrupts it (unless it pauses again).
  await input.agent.storage.checkpoints.delete(input.run.runId);
  return yield* runRoutedTurn({ ...turn, continuation: { steps: decided.steps } });
}
