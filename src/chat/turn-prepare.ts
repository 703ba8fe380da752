// A turn's prepare step: the budget, the history, the prompt, the stored user message, the tools, rag context.
import { untilDeleted, type AgentLease } from '../agents';
import type { RuntimeConfig } from '../config';
import { pricingOverrides } from '../llm';
import { followSignals } from '../shared/follow-signals';
import type { AgentSessions, ModelMessage } from '../sessions';
import { AppError } from '../shared/app-error';
import type { RunTools } from '../tools';
import { checkBudget, createUsagePricer, type BudgetStatus } from '../usage';
import { approvalGate } from './approval-gate';
import type { ChatPorts, ChatServiceDeps, TurnOptions } from './chat-service.types';
import type { LiveRun } from './live-run';
import type { RoutedTurnInput } from './model-router';
import { retrieveForTurn, withRetrievedContext } from './rag-context';
import { RunCheckpointer, type PausedTurn, type TurnDiscard } from './run-checkpointer';
import { leasedCalls } from './turn-helpers';

/** What the prepare step gathered: the agent's config and budget, and the agent turn's input. */
export interface PreparedTurn {
  config: RuntimeConfig;
  budget: BudgetStatus;
  /** The agent's sessions, over its ports. */
  sessions: AgentSessions;
  isFirstTurn: boolean;
  input: RoutedTurnInput;
  /** The run's tools without the approval gate (a restored run's decided calls run through them). */
  runTools: RunTools;
  checkpointer: RunCheckpointer;
  /** With `discardIfAnswer` (or a restored run's checkpoint): where the session's messages ended before the turn's own. */
  discard?: TurnDiscard;
}

/**
 * Prepare: everything the model needs for the turn. Checks the budget, reads the history, builds the prompt,
 * stores the user's message (kept even if the run fails), picks the tools and, in rag mode, retrieves memory
 * (publishing the `retrieval` event).
 */
export async function prepareTurn(
  deps: ChatServiceDeps,
  agent: AgentLease<ChatPorts>,
  sessionId: string,
  message: string,
  options: TurnOptions,
  run: LiveRun,
  attempts: () => number,
  restored?: PausedTurn,
): Promise<PreparedTurn> {
  const trigger = restored?.trigger ?? options.trigger ?? 'chat';
  const config = agent.config();
  const route = deps.llm.route(config);
  const budget = await checkBudget(agent.storage.usage, config, deps.clock.nowMs());
  const sessions = deps.sessions.of(agent);
  let systemPrompt: string;
  let history: ModelMessage[];
  let isFirstTurn = false;
  let discard = restored?.discard;
  if (restored) {
    // A paused run restored after a restart goes on with what the model saw when it paused.
    ({ systemPrompt, history } = restored);
  } else {
    const turn = await sessions.turnHistory(sessionId);
    ({ history, isFirstTurn } = turn);
    systemPrompt = deps.prompts.build(agent.root, config, {
      isFirstTurn,
      isFirstConversation: turn.isFirstConversation,
    });
    if (options.discardIfAnswer !== undefined)
      discard = { mark: await sessions.mark(sessionId), answer: options.discardIfAnswer };
    const stored = [{ role: 'user' as const, content: options.storedMessage ?? message }];
    // Taken from the queue by this run alone, its user message stored in the same write (no read sees neither):
    // gone already means another replica took it (or it was deleted).
    if (options.queuedId === undefined) await sessions.append(sessionId, stored);
    else if (!(await agent.storage.messages.takeQueued(sessionId, options.queuedId, stored)))
      throw new AppError('queued_elsewhere', `Session ${sessionId}: this queued message was taken meanwhile`, {
        session_id: sessionId,
      });
  }
  await deps.tools.ready();
  const runTools = deps.tools.forRun({
    agentId: agent.id,
    agentRoot: agent.root,
    sessionId,
    triggerType: trigger,
    config,
    currentConfig: () => agent.config(),
    audit: agent.storage.toolAudit,
    sessions,
  });
  const checkpointer = new RunCheckpointer({
    store: () => agent.storage.checkpoints,
    run,
    sessionId,
    trigger,
    message,
    clock: deps.clock,
    logger: deps.logger,
    attempts,
    discard,
  });
  // The run's signal and its agent's, for as long as the run lasts: the agent's outlives it (see followSignals).
  const signal = followSignals([agent.signal, run.signal], run.done);
  const gated = approvalGate(runTools, {
    signal,
    tools: deps.tools,
    approvals: deps.approvals,
    agent,
    run,
    sessionId,
    trigger,
    config: () => agent.config(),
    logger: deps.logger,
    checkpointer,
    onWait: options.onApprovalWait,
  });
  const tools = leasedCalls(agent, gated);
  let modelMessage = restored?.modelMessage ?? message;
  if (config.rag_mode && !restored) {
    const hits = deps.retrieval
      ? await untilDeleted(agent, retrieveForTurn(deps.retrieval, agent.id, message, deps.logger))
      : [];
    run.publish({
      type: 'retrieval',
      data: { query: message, results: hits.map(({ text, score, source }) => ({ text, score, source })) },
    });
    modelMessage = withRetrievedContext(message, hits);
  }
  const input: RoutedTurnInput = {
    route,
    breakers: deps.llm.breakers,
    llmSettings: deps.llmSettings,
    config,
    systemPrompt,
    history,
    message: modelMessage,
    tools,
    agentId: agent.id,
    sessionId,
    triggerType: trigger,
    sleep: deps.sleep,
    price: createUsagePricer(pricingOverrides(config)),
    signal,
    runId: restored?.attemptRunId ?? run.runId,
    checkpointer,
  };
  return {
    config,
    budget,
    sessions,
    isFirstTurn,
    input,
    runTools: leasedCalls(agent, runTools),
    checkpointer,
    discard,
  };
}
