// How a turn gets started: the checks before it, claiming the session, and the second-message policy (`on_busy`:
// reject, enqueue behind the live run, or interrupt it).
import type { AgentHandle, AgentLease } from '../agents';
import { isAppError } from '../shared/app-error';
import { checkBudget } from '../usage';
import type { ChatPorts, ChatServiceDeps, StartedTurn, TurnOptions } from './chat-service.types';
import type { LiveRun } from './live-run';
import type { RunRegistry } from './run-registry';
import { assertWithinBudget } from './turn-helpers';
import { createTurnQueue, type TurnQueue } from './turn-queue';

export interface TurnAdmissionDeps {
  deps: Pick<ChatServiceDeps, 'agents' | 'sessions' | 'llm' | 'clock' | 'logger'>;
  registry: RunRegistry;
  /** Runs a claimed turn in the background; `agent` is leased for it and released when it ends. */
  execute(agent: AgentLease<ChatPorts>, sessionId: string, message: string, run: LiveRun, options: TurnOptions): void;
}

export interface TurnAdmission {
  /** Starts a turn (or attaches to, queues behind or interrupts the session's live run, as `options.onBusy` says). */
  start(agentId: string | undefined, sessionId: string, message: string, options?: TurnOptions): Promise<StartedTurn>;
  /** The messages waiting behind live runs. */
  queue: TurnQueue<ChatPorts>;
}

export function createTurnAdmission({ deps, registry, execute }: TurnAdmissionDeps): TurnAdmission {
  /** The checks before a turn may start: the session exists, a model is configured, the budget allows it. */
  const admit = (agentId: string | undefined, sessionId: string) => admitTo(deps.agents.get(agentId), sessionId);
  const admitTo = async (agent: AgentHandle<ChatPorts>, sessionId: string) => {
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
      // Checked again now the session is held: a delete or archive may have come between `admit` and the claim.
      await deps.sessions
        .of(agent)
        .get(sessionId)
        .catch((error: unknown) => {
          claimed.run.finish();
          throw error;
        });
      const lease = agent.lease();
      queueMicrotask(() => execute(lease, sessionId, message, claimed.run, options));
    }
    return claimed;
  };

  const queue = createTurnQueue({
    agents: deps.agents,
    registry,
    logger: deps.logger,
    async startQueued(queuedOn, sessionId, queued) {
      const agent = await admitTo(queuedOn, sessionId);
      return (await begin(agent, sessionId, queued.content, { queuedId: queued.id }, false)).run;
    },
  });

  /**
   * `on_busy: interrupt`: cancels the session's live run on this replica, one already being cancelled included (a
   * client's stop, then send: that answered 409), waits until it lets the session go, and takes it. When another
   * interrupt took the session meanwhile, its run is interrupted in turn (three rounds at most). A session held
   * otherwise (another replica's run) is 409 `session_busy` as before.
   */
  const interrupt = async (
    agent: AgentHandle<ChatPorts>,
    sessionId: string,
    message: string,
    options: TurnOptions,
  ): Promise<StartedTurn> => {
    for (let round = 1; ; round++) {
      const live = registry.live(agent.id, sessionId);
      if (live) {
        live.cancel();
        await registry.whenFree(agent.id, sessionId);
      }
      try {
        const claimed = await begin(agent, sessionId, message, options, false);
        return { run: Promise.resolve(claimed.run), attached: claimed.attached, queued: false };
      } catch (error) {
        const busy = isAppError(error) && error.code === 'session_busy';
        if (!busy || round === 3 || !registry.live(agent.id, sessionId)) throw error;
      }
    }
  };

  const start = async (
    agentId: string | undefined,
    sessionId: string,
    message: string,
    options: TurnOptions = {},
  ): Promise<StartedTurn> => {
    const agent = await admit(agentId, sessionId);
    const onBusy = options.onBusy ?? 'reject';
    if (onBusy === 'interrupt') return interrupt(agent, sessionId, message, options);
    if (onBusy === 'enqueue') {
      // Behind messages already waiting, or behind the live run when the session is taken meanwhile.
      const claimed = (await queue.hasWaiting(agent, sessionId))
        ? null
        : await begin(agent, sessionId, message, options, false).catch((error: unknown) => {
            if (isAppError(error) && error.code === 'session_busy') return null;
            throw error;
          });
      if (claimed) return { run: Promise.resolve(claimed.run), attached: false, queued: false };
      const { run } = await queue.enqueue(agent, sessionId, message);
      return { run, attached: false, queued: true };
    }
    const claimed = await begin(agent, sessionId, message, options, onBusy === 'reject');
    return { run: Promise.resolve(claimed.run), attached: claimed.attached, queued: false };
  };

  return { start, queue };
}
