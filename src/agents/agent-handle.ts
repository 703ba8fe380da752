// What an agent handle is: identity, config, its storage ports, resources beside them, and leases that pin them open.
import type { RuntimeConfig } from '../config';
import { AppError } from '../shared/app-error';

/** What every agent storage offers the handles: a way to close it (the ports bundle adds the stores). */
export interface ClosableStorage {
  close(): void;
}

/** What identifies an agent to code that needs no storage (a resource being opened, a config lookup). */
export interface AgentIdentity {
  readonly id: string;
  /** Absolute path of the agent folder. */
  readonly root: string;
  /** The effective runtime config, re-read when a config file changed. */
  config(): RuntimeConfig;
}

/**
 * One agent, as long as it exists. `S` is its storage: the ports bundle the composition root opens
 * (each domain asks only for the ports it uses, e.g. `AgentHandle<SessionPorts>`). Storage is opened
 * on first use and may be closed and reopened between uses.
 */
export interface AgentHandle<S = unknown> extends AgentIdentity {
  /** The agent's storage ports (opened, or reopened, on access). 404 `agent_deleted` once the agent is deleted. */
  readonly storage: S;
  /** Aborted when the agent is deleted: long work (a model call) stops on it. */
  readonly signal: AbortSignal;
  /** This agent's instance of `slot`, opened on first use and closed with the agent's storage. As `storage` once deleted. */
  resource<T extends AgentResource>(slot: ResourceSlot<T>): T;
  /**
   * Pins the agent's storage open until released. Hold one across every `await` that uses the agent's
   * storage. 404 `agent_deleted` once the agent is deleted.
   */
  lease(): AgentLease<S>;
}

/** A handle whose storage stays open until `release()` (or the end of a `using` block). */
export interface AgentLease<S = unknown> extends AgentHandle<S>, Disposable {
  /** Idempotent. The last release of a deleted agent closes its storage and removes its folder. */
  release(): void;
}

/** Something kept open per agent beside its storage (the retrieval index) and closed with it. */
export interface AgentResource {
  close(): void;
}

/** A kind of per-agent resource: how to open it, and when an open one no longer fits the agent. */
export interface ResourceSlot<T extends AgentResource> {
  readonly name: string;
  open(agent: AgentIdentity): T;
  /** False when the open instance no longer fits (its config moved it): it is closed and opened again. */
  isCurrent?(resource: T, agent: AgentIdentity): boolean;
}

/** 404 `agent_deleted`: the agent went away under work that was using it. */
export function agentDeleted(id: string, cause?: unknown): AppError {
  return new AppError('agent_deleted', `Agent was deleted: ${id}`, undefined, { cause });
}
