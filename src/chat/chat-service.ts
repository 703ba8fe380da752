// Chat turns end to end: checks, the background run, persistence, usage, titles; streaming or once.
import type { AgentLease } from '../agents';
import type { RuntimeConfig } from '../config';
import { type AppError, isAppError } from '../shared/app-error';
import { storageFaultError } from '../shared/storage-fault';
import { recordUsage } from '../usage';
import type { ChatEvent } from './chat-events';
import type { LiveRun } from './live-run';
import { runRoutedTurn } from './model-router';
import { pricingOverrides } from '../llm';
import type { AgentTurnResult } from './run-agent';
import { titleFirstTurn } from './first-turn-title';
import { TurnRecorder } from './turn-recorder';
import { driveTurn } from './drive-turn';
import { createRunLedger } from './run-ledger';
import { createRunInterrupter } from './run-interrupter';
import { createTurnAdmission } from './turn-admission';
import { createTurnPriority } from './turn-priority';
import type { ChatPorts, ChatService, ChatServiceDeps, TurnOptions } from './chat-service.types';
import { failedTurn, succeededTurn, withBudgetWarning } from './turn-helpers';

export type { ChatPorts, ChatService, ChatServiceDeps, OnBusy, StartedTurn, TurnOptions } from './chat-service.types';
import type { PausedTurn, RunCheckpointer } from './run-checkpointer';
import { prepareTurn } from './turn-prepare';
import { restoredRecorder, restorePausedRuns, resumedTurn } from './paused-runs';

export function createChatService(deps: ChatServiceDeps): ChatService {
  const registry = deps.runs;
  const priority = deps.priority ?? createTurnPriority();
  const results = new WeakMap<LiveRun, AgentTurnResult>();
  /** Runs that ended by a storage fault: the non-streamed answer carries its status (507 / 503), not 502. */
  const faults = new WeakMap<LiveRun, AppError>();
  const ledger = deps.ledger ?? createRunLedger({ clock: deps.clock, logger: deps.logger });
  const interrupter = createRunInterrupter({ clock: deps.clock, logger: deps.logger });

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

  /** The model the route will ask first (the run row names the one that answered once it ends). */
  const plannedModel = (config: RuntimeConfig): string | null => {
    try {
      return deps.llm.route(config).candidates[0]?.model ?? null;
    } catch {
      // No runnable model: the turn itself reports it; the row waits for its outcome.
      return null;
    }
  };

  /** The turn in the background: prepare, run, record, title; `agent` is leased for it and released at the end. */
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
    interrupter.follow(run, agent, sessionId);
    if (!restored)
      await ledger.started(agent, {
        runId: run.runId,
        sessionId,
        trigger,
        model: plannedModel(agent.config()),
      });
    const opened = priority.open();
    try {
      const prepared = await prepareTurn(deps, agent, sessionId, message, options, run, () => attempts, restored);
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
            {
              agent,
              run,
              state: restored,
              approvals: deps.approvals,
              tools: deps.tools,
              runTools,
              config,
              nowMs: () => deps.clock.nowMs(),
            },
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
      interrupter.recording(run, recorder);
      const result = await driveTurn(agent, turn, recorder, publish);
      await record(agent, run, prepared.config, result);
      if (result.ok && prepared.discard && result.content.trim() === prepared.discard.answer)
        await prepared.sessions.deleteMessagesAfter(sessionId, prepared.discard.mark);
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
            data: { error: `Agent was deleted: ${agent.id}`, run_id: run.runId, attempt: 1, code: 'agent_deleted' },
          });
      } else if (interrupter.isInterrupted(run)) {
        // The server stopped under the run and stored its end: a failure since (storage closing) is not its outcome.
        deps.logger.info('chat run ended: the server stopped under it', {
          session_id: sessionId,
          error: String(error),
        });
        results.set(run, failedTurn('not_ready', 'The server stopped before the run could finish.'));
      } else {
        deps.logger.error('chat run failed', { session_id: sessionId, error: String(error) });
        // A full or unwritable data folder is said as such (507 / 503 codes), as is an error meant for the client
        // (a queued message another replica took: 409 queued_elsewhere); anything else stays generic.
        const fault = storageFaultError(error, deps.agents.dataDir) ?? (isAppError(error) ? error : undefined);
        if (fault) faults.set(run, fault);
        const failure = fault ?? { code: 'internal_error', message: 'Internal server error' };
        results.set(run, failedTurn(failure.code, failure.message));
        try {
          await deps.sessions.of(agent).setLiveResponse(sessionId, null);
        } catch {
          // The session may be gone; nothing left to clear.
        }
        run.publish({
          type: 'error',
          data: { error: failure.message, run_id: run.runId, attempt: 1, code: failure.code },
        });
      }
    } finally {
      opened();
      // The run ends here: a checkpoint left (a cancel or a failure while it waited) must not restore it.
      await checkpointer?.clear();
      // Its storage may be closed by now (a run the stop interrupted): `storage` itself then throws.
      if (restored) await Promise.try(() => agent.storage.checkpoints.delete(run.runId)).catch(() => false);
      if (!agent.signal.aborted && !interrupter.isInterrupted(run))
        await ledger.ended(agent, run.runId, results.get(run), attempts);
      run.finish();
      await abandoned;
      agent.release();
    }
  };

  const { start, queue } = createTurnAdmission({
    deps,
    registry,
    execute: (lease, sessionId, message, run, options) => void execute(lease, sessionId, message, run, options),
  });

  return {
    start,
    async runOnce(agentId, sessionId, message, options) {
      const agent = deps.agents.get(agentId);
      const run = await (await start(agentId, sessionId, message, options)).run;
      await run.done;
      return {
        agent,
        result: succeededTurn(results.get(run), faults.get(run), run.runId, interrupter.isInterrupted(run)),
      };
    },
    isBusy: (agentId, sessionId) => registry.isBusy(agentId, sessionId),
    drain: () => registry.drain(),
    interruptLive: (endMs) => interrupter.interruptAll(endMs),
    resumeQueued: (agentIds) => queue.resume(agentIds),
    resumePaused: (agentIds) =>
      restorePausedRuns(
        {
          agents: deps.agents,
          registry,
          logger: deps.logger,
          nowMs: () => deps.clock.nowMs(),
          start(agent, run, sessionId, state) {
            const lease = agent.lease();
            try {
              deps.approvals.willResume(agent.id, Object.values(state.approvals), run);
            } catch (error) {
              // A checkpoint without its approvals (damaged): not started, the agent not kept open for it.
              lease.release();
              throw error;
            }
            queueMicrotask(
              () =>
                void execute(lease, sessionId, state.message, run, { trigger: state.trigger, skipTitle: true }, state),
            );
          },
        },
        agentIds,
      ),
  };
}
