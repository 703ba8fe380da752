// Work that spans awaits on one agent: holds a lease for its length and reports a deletion under it as `agent_deleted`.
import { isAppError } from '../shared/app-error';
import { agentDeleted, type AgentHandle, type AgentLease } from './agent-handle';

/**
 * Runs `task` holding a lease on `agent` (released when it settles). Once the agent has been deleted,
 * any failure of the task becomes 404 `agent_deleted`: whatever broke first, the cause is the deletion.
 * Throws `agent_deleted` at once when the agent is already deleted.
 */
export async function withLease<S, T>(
  agent: AgentHandle<S>,
  task: (lease: AgentLease<S>) => Promise<T> | T,
): Promise<T> {
  using lease = agent.lease();
  try {
    return await task(lease);
  } catch (error) {
    if (!agent.signal.aborted || (isAppError(error) && error.code === 'agent_deleted')) throw error;
    throw agentDeleted(agent.id, error);
  }
}

/**
 * Settles like `work`, or rejects with `agent_deleted` as soon as the agent is deleted; what `work`
 * does after that is ignored (its rejection too).
 */
export function untilDeleted<T>(agent: AgentHandle<unknown>, work: Promise<T>): Promise<T> {
  const { signal } = agent;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(agentDeleted(agent.id));
  }
  return new Promise<T>((resolve, reject) => {
    const onDeleted = () => reject(agentDeleted(agent.id));
    signal.addEventListener('abort', onDeleted, { once: true });
    void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onDeleted));
  });
}

/** `untilDeleted` for many pieces of work in a row, with one abort listener for all of them. */
export interface DeletionWatch extends Disposable {
  /** As `untilDeleted(agent, work)`. */
  guard<T>(work: Promise<T>): Promise<T>;
}

/**
 * One abort listener on `agent` for a sequence of `guard` calls (a turn's events: thousands per turn), instead
 * of one listener added and removed per call. Dispose of it when the sequence ends.
 */
export function watchDeletion(agent: AgentHandle<unknown>): DeletionWatch {
  const { signal } = agent;
  let rejectCurrent: ((error: unknown) => void) | null = null;
  const onDeleted = () => rejectCurrent?.(agentDeleted(agent.id));
  signal.addEventListener('abort', onDeleted, { once: true });
  return {
    guard<T>(work: Promise<T>): Promise<T> {
      if (signal.aborted) {
        work.catch(() => undefined);
        return Promise.reject(agentDeleted(agent.id));
      }
      return new Promise<T>((resolve, reject) => {
        rejectCurrent = reject;
        work.then(resolve, reject);
      });
    },
    [Symbol.dispose]: () => signal.removeEventListener('abort', onDeleted),
  };
}
