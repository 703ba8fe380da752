// Chat turns end to end: checks, the background run, persistence, usage, titles; streaming or once.
import { untilDeleted, type AgentDirectory, type AgentHandle, type AgentLease } from '../agents';
import type { LlmSettings, RuntimeConfig } from '../config';
import type { AgentSessions, ModelMessage, SessionPorts, SessionsService } from '../sessions';
import { AppError, isAppError } from '../shared/app-error';
import { storageFaultError } from '../shared/storage-fault';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import type { RunTools, ToolPorts, ToolsService, TriggerType } from '../tools';
import { budgetWarning, checkBudget, createUsagePricer, projectBudget, recordUsage, type BudgetStatus } from '../usage';
import type { ChatEvent } from './chat-events';
import type { AuxiliaryPorts } from './auxiliary-usage';
import type { LiveRun } from './live-run';
import { runRoutedTurn, type RoutedTurnInput } from './model-router';
import { pricingOverrides, type LlmService } from '../llm';
import type { PromptBuilder } from './prompt-builder';
import type { RetrievalSearcher } from '../retrieval';
import { retrieveForTurn, withRetrievedContext } from './rag-context';
import type { AgentTurnResult } from './run-agent';
import type { RunRegistry } from './run-registry';
import { titleFirstTurn } from './first-turn-title';
import { TurnRecorder } from './turn-recorder';
import { driveTurn } from './drive-turn';
import { createRunLedger } from './run-ledger';
import { createTurnQueue } from './turn-queue';
import type { RunPorts } from './run-store.port';
import type { ApprovalPorts } from './approval-store.port';
import { approvalGate } from './approval-gate';
import type { ApprovalsService } from './approvals.service';
import { createTurnPriority, type TurnPriority } from './turn-priority';
import { RunCheckpointer, type PausedTurn } from './run-checkpointer';
import { restoredRecorder, restorePausedRuns, resumedTurn } from './paused-runs';
import type { RunCheckpointPorts } from './run-checkpoint.port';

/** The storage ports a chat turn uses. */
export type ChatPorts = SessionPorts & AuxiliaryPorts & ToolPorts & RunPorts & ApprovalPorts & RunCheckpointPorts;

export interface ChatServiceDeps {
  agents: AgentDirectory<ChatPorts>;
  sessions: Pick<SessionsService, 'of'>;
  /** The live runs (one per session, each holding the session's lock). */
  runs: RunRegistry;
  llmSettings: LlmSettings;
  /** Each agent's model route and the profiles' breakers. */
  llm: Pick<LlmService, 'route' | 'breakers'>;
  tools: ToolsService;
  prompts: PromptBuilder;
  clock: Clock;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
  /** Memory search for rag mode; without it rag mode sends an empty `retrieval` event. */
  retrieval?: RetrievalSearcher;
  /** Where tool calls that need a decision (`tool_approvals`) wait. */
  approvals: ApprovalsService;
  /** Orders opening turns before finished turns' leftovers (one of its own when absent). */
  priority?: TurnPriority;
}

/** How a turn was started: `chat` from the API, `cron`/`heartbeat` from the scheduler. */
export interface TurnOptions {
  trigger?: TriggerType;
  /** Skip the first-turn title (scheduled sessions are titled by their job). */
  skipTitle?: boolean;
  /** What the session keeps as the user message, when it differs from what the model is sent (scheduled runs add rules). */
  storedMessage?: string;
  /**
   * When the session already has a live run: `reject` (409 `session_busy`, or attach for the same message),
   * `enqueue` (stored `queued`, run when the session is free, in order), `interrupt` (cancel it, then run).
   */
  onBusy?: OnBusy;
  /** The queued message this turn runs (it leaves the queue as the turn stores its user message). */
  queuedId?: number;
  /** Told when the run starts waiting for tool approvals (`true`) and when no call waits any more (`false`). */
  onApprovalWait?: (waiting: boolean, runId: string) => Promise<void> | void;
}

export type OnBusy = 'reject' | 'enqueue' | 'interrupt';

/** What the prepare step gathered: the agent's config and budget, and the agent turn's input. */
interface PreparedTurn {
  config: RuntimeConfig;
  budget: BudgetStatus;
  /** The agent's sessions, over its ports. */
  sessions: AgentSessions;
  isFirstTurn: boolean;
  input: RoutedTurnInput;
  /** The run's tools without the approval gate (a restored run's decided calls run through them). */
  runTools: RunTools;
  checkpointer: RunCheckpointer;
}

export interface StartedTurn {
  /** The run; for a queued message it settles when the message's turn comes (rejected if it cannot run then). */
  run: Promise<LiveRun>;
  /** Joined a live run with the same message: send its events from now on (otherwise from its first). */
  attached: boolean;
  /** The message waits behind the session's live run. */
  queued: boolean;
}

export interface ChatService {
  /**
   * Validates, then starts (or attaches to, or queues behind, per `options.onBusy`) the session's run.
   * 404, 409 `session_busy`, 429 `budget_exceeded`, 503 `llm_not_configured`.
   */
  start(agentId: string | undefined, sessionId: string, message: string, options?: TurnOptions): Promise<StartedTurn>;
  /** Runs a turn to its end and returns its outcome (throws 502 when the model failed). */
  runOnce(
    agentId: string | undefined,
    sessionId: string,
    message: string,
    options?: TurnOptions,
  ): Promise<{ agent: AgentHandle<ChatPorts>; result: AgentTurnResult }>;
  isBusy(agentId: string, sessionId: string): Promise<boolean>;
  /** Resolves when every live run has finished. */
  drain(): Promise<void>;
  /** Runs the messages an earlier process left queued (in the background). */
  resumeQueued(): Promise<void>;
  /** Restores the runs an earlier process left paused for approvals (they wait again, then go on). */
  resumePaused(): Promise<number>;
}

export function createChatService(deps: ChatServiceDeps): ChatService {
  const registry = deps.runs;
  const priority = deps.priority ?? createTurnPriority();
  const results = new WeakMap<LiveRun, AgentTurnResult>();
  /** Runs that ended by a storage fault: the non-streamed answer carries its status (507 / 503), not 502. */
  const faults = new WeakMap<LiveRun, AppError>();
  const ledger = createRunLedger(deps.clock, deps.logger);

  /**
   * Prepare: everything the model needs for the turn. Checks the budget, reads the history, builds the prompt,
   * stores the user's message (kept even if the run fails), picks the tools and, in rag mode, retrieves memory
   * (publishing the `retrieval` event).
   */
  const prepare = async (
    agent: AgentLease<ChatPorts>,
    sessionId: string,
    message: string,
    options: TurnOptions,
    run: LiveRun,
    attempts: () => number,
    restored?: PausedTurn,
  ): Promise<PreparedTurn> => {
    const trigger = restored?.trigger ?? options.trigger ?? 'chat';
    const config = agent.config();
    const route = deps.llm.route(config);
    const budget = await checkBudget(agent.storage.usage, config, deps.clock.nowMs());
    const sessions = deps.sessions.of(agent);
    let systemPrompt: string;
    let history: ModelMessage[];
    let isFirstTurn = false;
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
      if (options.queuedId !== undefined) await agent.storage.messages.removeQueued(sessionId, options.queuedId);
      await sessions.append(sessionId, [{ role: 'user', content: options.storedMessage ?? message }]);
    }
    const runTools = deps.tools.forRun({
      agentId: agent.id,
      agentRoot: agent.root,
      sessionId,
      triggerType: trigger,
      config,
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
    });
    const gated = approvalGate(runTools, {
      tools: deps.tools,
      approvals: deps.approvals,
      agent,
      run,
      sessionId,
      trigger,
      config,
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
      signal: AbortSignal.any([agent.signal, run.signal]),
      runId: restored?.attemptRunId ?? run.runId,
      checkpointer,
    };
    return { config, budget, sessions, isFirstTurn, input, runTools: leasedCalls(agent, runTools), checkpointer };
  };

  /**
   * Record: the run's outcome for `runOnce`, and its usage in the agent's usage log, once `done` is out and no
   * other turn is on its way to a first token (before the run ends, so whoever reads after the stream sees it).
   */
  const record = async (agent: AgentLease<ChatPorts>, run: LiveRun, config: RuntimeConfig, result: AgentTurnResult) => {
    results.set(run, result);
    await priority.whenIdle();
    for (const usage of [...(result.failedUsage ?? []), ...(result.usage ? [result.usage] : [])])
      await recordUsage(agent.storage.usage, usage, {
        pricingOverrides: pricingOverrides(config),
        nowMs: deps.clock.nowMs(),
      });
  };

  /** The turn in the background: prepare, run, record, title; `agent` is leased for it and released at the end. */
  /** The model the route will ask first (the run row names the one that answered once it ends). */
  const plannedModel = (config: RuntimeConfig): string | null => {
    try {
      return deps.llm.route(config).candidates[0]?.model ?? null;
    } catch {
      // No runnable model: the turn itself reports it; the row waits for its outcome.
      return null;
    }
  };

  const execute = async (
    agent: AgentLease<ChatPorts>,
    sessionId: string,
    message: string,
    run: LiveRun,
    options: TurnOptions,
    restored?: PausedTurn,
  ) => {
    let turn: AsyncGenerator<ChatEvent, AgentTurnResult> | undefined;
    let answered = false;
    let abandoned: Promise<unknown> | undefined;
    let attempts = restored?.attempts ?? 0;
    let checkpointer: RunCheckpointer | undefined;
    const trigger = options.trigger ?? 'chat';
    if (!restored)
      await ledger.started(() => agent.storage.runs, {
        runId: run.runId,
        sessionId,
        trigger,
        model: plannedModel(agent.config()),
      });
    const opened = priority.open();
    try {
      const prepared = await prepare(agent, sessionId, message, options, run, () => attempts, restored);
      checkpointer = prepared.checkpointer;
      const publish = (event: ChatEvent) => {
        if (event.type === 'done') answered = true;
        if (event.type !== 'run_start' && event.type !== 'agent_update' && event.type !== 'retrieval') opened();
        if (event.type === 'run_start') attempts += 1;
        run.publish(withBudgetWarning(event, prepared.budget));
        prepared.checkpointer.published();
      };
      const { runTools, config } = prepared;
      turn = restored
        ? resumedTurn(
            { agent, run, state: restored, approvals: deps.approvals, tools: deps.tools, runTools, config },
            prepared.input,
          )
        : runRoutedTurn(prepared.input);
      const recorder = new TurnRecorder(
        prepared.sessions,
        sessionId,
        deps.clock,
        deps.logger,
        restored && restoredRecorder(restored),
      );
      const result = await driveTurn(agent, turn, recorder, publish);
      await record(agent, run, prepared.config, result);
      if (result.ok && prepared.isFirstTurn && !options.skipTitle)
        publish(
          await titleFirstTurn(agent, prepared.sessions, deps.llm, message, sessionId, deps.clock, () =>
            priority.whenIdle(),
          ),
        );
    } catch (error) {
      if (agent.signal.aborted) {
        // The agent (and the session with it) was deleted under the turn: the client hears so, unless it already has its answer.
        // The turn stops at its next step (the model call is aborted); the lease is held until then, as a tool may still be finishing.
        abandoned = turn?.return(undefined as never).catch(() => undefined);
        deps.logger.info('chat run ended: its agent was deleted', {
          agent_id: agent.id,
          session_id: sessionId,
          answered,
        });
        if (!results.has(run)) results.set(run, failedTurn('agent_deleted', `Agent was deleted: ${agent.id}`));
        if (!answered)
          run.publish({
            type: 'error',
            data: { error: `Agent was deleted: ${agent.id}`, run_id: '', attempt: 1, code: 'agent_deleted' },
          });
      } else {
        deps.logger.error('chat run failed', { session_id: sessionId, error: String(error) });
        // A full or unwritable data folder is said as such (507 / 503 codes); anything else stays generic.
        const fault = storageFaultError(error, deps.agents.dataDir);
        if (fault) faults.set(run, fault);
        const failure = fault ?? { code: 'internal_error', message: 'Internal server error' };
        results.set(run, failedTurn(failure.code, failure.message));
        try {
          await deps.sessions.of(agent).setLiveResponse(sessionId, null);
        } catch {
          // The session may be gone; nothing left to clear.
        }
        run.publish({ type: 'error', data: { error: failure.message, run_id: '', attempt: 1, code: failure.code } });
      }
    } finally {
      opened();
      // The run ends here: a checkpoint left (a cancel or a failure while it waited) must not restore it.
      await checkpointer?.clear();
      if (restored) await agent.storage.checkpoints.delete(run.runId).catch(() => false);
      if (!agent.signal.aborted) await ledger.ended(() => agent.storage.runs, run.runId, results.get(run), attempts);
      run.finish();
      await abandoned;
      agent.release();
    }
  };

  /** The checks before a turn may start: the session exists, a model is configured, the budget allows it. */
  const admit = async (agentId: string | undefined, sessionId: string) => {
    const agent = deps.agents.get(agentId);
    await deps.sessions.of(agent).get(sessionId);
    deps.llm.route(agent.config());
    assertWithinBudget(await checkBudget(agent.storage.usage, agent.config(), deps.clock.nowMs()));
    return agent;
  };

  /** Claims the session's run and, for a new one, starts the turn in the background. */
  const begin = async (
    agent: AgentHandle<ChatPorts>,
    sessionId: string,
    message: string,
    options: TurnOptions,
    attach: boolean,
  ) => {
    const claimed = await registry.claim(agent.id, sessionId, message, attach);
    if (!claimed.attached) {
      const lease = agent.lease();
      queueMicrotask(() => void execute(lease, sessionId, message, claimed.run, options));
    }
    return claimed;
  };

  const queue = createTurnQueue({
    agents: deps.agents,
    registry,
    logger: deps.logger,
    async startQueued(agentId, sessionId, queued) {
      const agent = await admit(agentId, sessionId);
      return (await begin(agent, sessionId, queued.content, { queuedId: queued.id }, false)).run;
    },
  });

  const start = async (
    agentId: string | undefined,
    sessionId: string,
    message: string,
    options: TurnOptions = {},
  ): Promise<StartedTurn> => {
    const agent = await admit(agentId, sessionId);
    const onBusy = options.onBusy ?? 'reject';
    if (onBusy === 'interrupt') {
      const live = registry.live(agent.id, sessionId);
      if (live?.cancel()) await registry.whenFree(agent.id, sessionId);
    }
    if (onBusy === 'enqueue') {
      // Behind messages already waiting, or behind the live run when the session is taken meanwhile.
      const claimed = (await queue.hasWaiting(agent.id, sessionId))
        ? null
        : await begin(agent, sessionId, message, options, false).catch((error: unknown) => {
            if (isAppError(error) && error.code === 'session_busy') return null;
            throw error;
          });
      if (claimed) return { run: Promise.resolve(claimed.run), attached: false, queued: false };
      const { run } = await queue.enqueue(agent.id, sessionId, message);
      return { run, attached: false, queued: true };
    }
    const claimed = await begin(agent, sessionId, message, options, onBusy === 'reject');
    return { run: Promise.resolve(claimed.run), attached: claimed.attached, queued: false };
  };

  return {
    start,
    async runOnce(agentId, sessionId, message, options) {
      const agent = deps.agents.get(agentId);
      const run = await (await start(agentId, sessionId, message, options)).run;
      await run.done;
      const result = results.get(run);
      if (!result) throw new AppError('internal_error', 'Internal server error');
      const fault = faults.get(run);
      if (fault) throw fault;
      if (!result.ok) {
        if (result.error?.code === 'agent_deleted') throw new AppError('agent_deleted', result.error.message);
        if (result.error?.code === 'cancelled')
          throw new AppError('run_cancelled', 'The run was cancelled.', { run_id: run.runId });
        throw new AppError('llm_error', result.error?.message ?? 'Model call failed', {
          code: result.error?.code ?? 'llm_error',
          run_id: result.runId,
        });
      }
      return { agent, result };
    },
    isBusy: (agentId, sessionId) => registry.isBusy(agentId, sessionId),
    drain: () => registry.drain(),
    resumeQueued: () => queue.resume(),
    resumePaused: () =>
      restorePausedRuns({
        agents: deps.agents,
        registry,
        logger: deps.logger,
        start(agent, run, sessionId, state) {
          const lease = agent.lease();
          queueMicrotask(
            () =>
              void execute(lease, sessionId, state.message, run, { trigger: state.trigger, skipTitle: true }, state),
          );
        },
      }),
  };
}

/** Every tool call holds its own lease: a call still running when its turn was abandoned keeps the agent's storage until it ends. */
function leasedCalls(agent: AgentHandle<unknown>, tools: RunTools): RunTools {
  return {
    offered: tools.offered,
    async execute(call) {
      using _lease = agent.lease();
      return await tools.execute(call);
    },
  };
}

const failedTurn = (code: string, message: string): AgentTurnResult => ({
  ok: false,
  content: '',
  runId: '',
  usage: null,
  error: { code, message },
});

/** 429 `budget_exceeded` with the cap, the spend and the reset time when the budget blocks runs. */
function assertWithinBudget(budget: BudgetStatus): void {
  if (budget.state !== 'block') return;
  throw new AppError('budget_exceeded', budget.message, { ...budgetWarning(budget) });
}

/** A `usage` event gets a `budget` field once this run's spend so far brings a window to 80 % of its cap. */
function withBudgetWarning(event: ChatEvent, budget: BudgetStatus): ChatEvent {
  if (event.type !== 'usage' || budget.windows.length === 0) return event;
  const priced = event.data.priced && event.data.cost_usd !== null;
  const warning = budgetWarning(projectBudget(budget, priced ? (event.data.cost_usd ?? 0) : 0, priced ? 0 : 1));
  return warning ? { type: 'usage', data: { ...event.data, budget: warning } } : event;
}
