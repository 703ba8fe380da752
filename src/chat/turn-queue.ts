// Messages that wait for their session's live run (on_busy `enqueue`): stored `queued`, then run one at a time, in order.
import { agentDeleted, type AgentDirectory, type AgentHandle } from '../agents';
import type { QueuedMessage, SessionPorts } from '../sessions';
import { AppError, isAppError, notFound } from '../shared/app-error';
import type { Logger } from '../shared/logger';
import type { LiveRun } from './live-run';
import type { RunRegistry } from './run-registry';

/** Messages one session may hold queued: past it, `enqueue` answers 409 `queue_full` (a loop or a flood, not a person). */
export const MAX_QUEUED_PER_SESSION = 32;

export interface TurnQueueDeps<S extends SessionPorts> {
  agents: AgentDirectory<S>;
  registry: RunRegistry;
  /** Starts the run of a queued message (never attaching to another run); 409 `session_busy` when the session was taken. */
  startQueued(agent: AgentHandle<S>, sessionId: string, message: QueuedMessage): Promise<LiveRun>;
  logger: Logger;
}

export interface TurnQueue<S extends SessionPorts> {
  /**
   * Stores `message` as queued in the session and returns a promise of its run, which settles when its turn
   * comes (rejected with the reason when it cannot run then: the budget blocks, the session is gone, 404
   * `agent_deleted` when `agent` was deleted meanwhile, even if its id names a new agent by then).
   */
  enqueue(agent: AgentHandle<S>, sessionId: string, message: string): Promise<{ run: Promise<LiveRun> }>;
  /** Whether the session has messages waiting (a new one then queues behind them). */
  hasWaiting(agent: AgentHandle<S>, sessionId: string): Promise<boolean>;
  /** Runs what earlier processes left queued, in every agent's sessions (or those of `agentIds`). */
  resume(agentIds?: readonly string[]): Promise<void>;
}

interface Waiter {
  resolve(run: LiveRun): void;
  reject(error: unknown): void;
  /** Order of registration: a waiter registered before a read of the queue must find its message in it. */
  order: number;
}

/**
 * The queue works on the agent handle a message was queued with, never on its id looked up again: an agent deleted
 * and created again under the same id is another agent, and the old one's waiters end `agent_deleted` (looked up by
 * id, they ended 404 "Agent not found", or read the new agent's sessions and ended "Session not found").
 */
export function createTurnQueue<S extends SessionPorts>(deps: TurnQueueDeps<S>): TurnQueue<S> {
  const pumps = new Set<string>();
  /** Sessions that got a message while their pump was finishing: the pump runs again. */
  const dirty = new Set<string>();
  const waiters = new Map<string, Waiter>();
  /** Enqueues of this process still storing their message, per session: a drain reads the queue after them. */
  const storing = new Map<string, Set<Promise<unknown>>>();
  let registered = 0;
  // Keyed by the agent's handle, not its id: an agent deleted and made anew under its id is another agent, whose
  // queue must not be taken for (or failed with) the old one's. A handle is one object until its agent is deleted.
  const handles = new WeakMap<AgentHandle<S>, number>();
  let handlesSeen = 0;
  const handleKey = (agent: AgentHandle<S>) => {
    let key = handles.get(agent);
    if (key === undefined) handles.set(agent, (key = ++handlesSeen));
    return `${agent.id}#${key}`;
  };
  const sessionKey = (agent: AgentHandle<S>, sessionId: string) => `${handleKey(agent)}\n${sessionId}`;
  const waiterKey = (agent: AgentHandle<S>, sessionId: string, id: number) => `${sessionKey(agent, sessionId)}\n${id}`;

  const settle = (key: string, outcome: { run: LiveRun } | { error: unknown }) => {
    const waiter = waiters.get(key);
    waiters.delete(key);
    if (!waiter) return;
    if ('run' in outcome) waiter.resolve(outcome.run);
    else waiter.reject(outcome.error);
  };

  /**
   * Ends the wait of messages no longer queued, or their streams would stay open for ever: 404 when their session
   * was deleted meanwhile, 409 `queued_elsewhere` when another replica sharing the database took them (it runs
   * them there, and the reply goes to the session's history). Only waiters registered before the read began: a
   * later one's message may have been stored after it.
   */
  const dropVanished = async (agent: AgentHandle<S>, sessionId: string, queued: QueuedMessage[], horizon: number) => {
    const prefix = `${sessionKey(agent, sessionId)}\n`;
    const stored = new Set(queued.map((message) => waiterKey(agent, sessionId, message.id)));
    const vanished = [...waiters].filter(
      ([key, waiter]) => key.startsWith(prefix) && !stored.has(key) && waiter.order <= horizon,
    );
    if (vanished.length === 0) return;
    const session = await agent.storage.sessions.find(sessionId);
    const error = session
      ? new AppError(
          'queued_elsewhere',
          `Session ${sessionId}: another replica took this queued message and runs it; its reply goes to the session's history`,
          { session_id: sessionId },
        )
      : notFound('Session not found: its queued message was dropped', { session_id: sessionId });
    for (const [key] of vanished) settle(key, { error });
  };

  /** Runs the session's queued messages one after another, each once the session is free. */
  const drain = async (agent: AgentHandle<S>, sessionId: string) => {
    for (;;) {
      await deps.registry.whenFree(agent.id, sessionId);
      // 404 `agent_deleted` once the agent is deleted: its queue went with it.
      const messages = agent.storage.messages;
      const horizon = registered;
      const queued = await messages.queued(sessionId);
      // The read may hold a message stored here but not yet waited for, which would run with nobody to stream it
      // to: read again once this process's enqueues in flight have registered their waiters.
      const inserts = storing.get(sessionKey(agent, sessionId));
      if (inserts?.size) {
        await Promise.allSettled(inserts);
        continue;
      }
      await dropVanished(agent, sessionId, queued, horizon);
      const [next] = queued;
      if (!next) return;
      const key = waiterKey(agent, sessionId, next.id);
      try {
        settle(key, { run: await deps.startQueued(agent, sessionId, next) });
      } catch (error) {
        // Someone else took the session first: wait for that run too.
        if (isAppError(error) && error.code === 'session_busy') continue;
        if (agent.signal.aborted) throw agentDeleted(agent.id, error);
        deps.logger.warn('queued message could not run; it is dropped', {
          agent_id: agent.id,
          session_id: sessionId,
          error: String(error),
        });
        await messages.removeQueued(sessionId, next.id);
        settle(key, { error });
      }
    }
  };

  const pump = (agent: AgentHandle<S>, sessionId: string) => {
    const key = sessionKey(agent, sessionId);
    if (pumps.has(key)) {
      dirty.add(key);
      return;
    }
    pumps.add(key);
    void drain(agent, sessionId)
      .catch((cause) => {
        const deleted = agent.signal.aborted;
        const error = deleted ? agentDeleted(agent.id, cause) : cause;
        if (deleted)
          deps.logger.info('queued messages dropped: their agent was deleted', {
            agent_id: agent.id,
            session_id: sessionId,
          });
        else
          deps.logger.error('queued messages stopped', {
            agent_id: agent.id,
            session_id: sessionId,
            error: String(error),
          });
        for (const [waiter, entry] of waiters)
          if (waiter.startsWith(`${key}\n`)) {
            waiters.delete(waiter);
            entry.reject(error);
          }
      })
      .finally(() => {
        pumps.delete(key);
        if (dirty.delete(key)) pump(agent, sessionId);
      });
  };

  return {
    async enqueue(agent, sessionId, message) {
      const messages = agent.storage.messages;
      // The store refuses past the limit in the same step that stores: requests arriving together (on any
      // replica) cannot all pass a count taken before.
      const key = sessionKey(agent, sessionId);
      const insert = messages.enqueue(sessionId, message, MAX_QUEUED_PER_SESSION);
      const inserts = storing.get(key) ?? new Set();
      storing.set(key, inserts.add(insert));
      // A plain await: this continuation (which registers the waiter) runs before a drain's wait on `inserts` ends.
      let outcome: Awaited<typeof insert>;
      try {
        outcome = await insert;
      } finally {
        inserts.delete(insert);
        if (inserts.size === 0 && storing.get(key) === inserts) storing.delete(key);
      }
      if ('full' in outcome)
        throw new AppError(
          'queue_full',
          `Session ${sessionId} already holds ${outcome.full} queued messages (at most ${MAX_QUEUED_PER_SESSION}); wait for them to run`,
          { session_id: sessionId, queued: outcome.full, limit: MAX_QUEUED_PER_SESSION },
        );
      const queued = outcome.stored;
      const run = new Promise<LiveRun>((resolve, reject) =>
        waiters.set(waiterKey(agent, sessionId, queued.id), { resolve, reject, order: ++registered }),
      );
      pump(agent, sessionId);
      return { run };
    },
    hasWaiting: async (agent, sessionId) => (await agent.storage.messages.queued(sessionId)).length > 0,
    async resume(agentIds = deps.agents.ids()) {
      for (const agentId of agentIds) {
        try {
          const agent = deps.agents.get(agentId);
          for (const sessionId of await agent.storage.messages.sessionsWithQueued()) pump(agent, sessionId);
        } catch (error) {
          deps.logger.warn('queued messages of an agent not resumed', { agent_id: agentId, error: String(error) });
        }
      }
    },
  };
}
