// AgentsService: the agents domain at the edge (list, create, delete with their metadata) and the directory other domains use.
import { agentLifecycleLock, agentRunLockPrefixes, isAgentRunLock, type Coordinator } from '../coordination';
import { statSync } from 'node:fs';
import { AppError, isAppError } from '../shared/app-error';
import { timeSlices } from '../shared/event-loop';
import { toEpochSeconds } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { storageFaultError } from '../shared/storage-fault';
import type { AgentHandle } from './agent-handle';
import type { AgentsPorts } from './agent-meta.port';
import { normalizeAgentId, type AgentDirectory, type AgentRegistry } from './agent-registry';

/** Agents a listing reads together, and how long it holds the thread before giving it back for a turn. */
const LIST_BATCH = 8;
const LIST_SLICE_MS = 10;

/** How often a delete looks whether the agent's runs (on any replica) have let go of their locks. */
const RUN_LOCKS_POLL_MS = 100;

export interface AgentMeta {
  agentId: string;
  path: string;
  createdAt: number;
  updatedAt: number;
  activeSessions: number;
  archivedSessions: number;
  /** Why the agent's storage cannot be read (its counts are then 0): only on a listed agent whose storage is broken. */
  error?: { code: string; message: string; details?: Record<string, unknown> };
}

/** Session counts of one agent, as its sessions store reports them. */
export interface SessionCounts {
  active: number;
  archived: number;
  /** The newest `updatedAt` of any session, null without sessions. */
  lastUpdatedAt: number | null;
}

export interface AgentsService<S extends AgentsPorts = AgentsPorts> extends AgentDirectory<S> {
  readonly sharedSkillsDir: string;
  /**
   * Every agent with its metadata, by id. Agents unchanged since the last listing are not opened again. An agent
   * whose storage fails (a damaged `agent.db`, `storage` a file) is still listed, with zero counts and `error`.
   */
  list(): Promise<AgentMeta[]>;
  /** Creates and seeds a new agent. 400 on a bad id, 409 `conflict` when it exists. */
  create(rawId: string): Promise<AgentMeta>;
  /**
   * Deletes an agent (see AgentRegistry.delete) and the rows a shared database holds for it. 409 for
   * `default` and while another request (or replica) creates or deletes the same id, 404 when unknown.
   */
  delete(rawId: string): Promise<void>;
  /** Agents whose storage is open now. */
  openCount(): number;
  /** Seeds and repairs the agent folders (server start). */
  start(): void;
  /** Closes every agent's storage. */
  close(): void;
}

export interface AgentsServiceDeps<S extends AgentsPorts> {
  registry: AgentRegistry<S>;
  /** The session counts of an agent's storage (the sessions domain's, wired by the composition root). */
  sessionCounts(storage: S): Promise<SessionCounts>;
  /** Where creations and deletions of one id take turns (with a shared database, across replicas). */
  coordinator: Coordinator;
  /** Removes a deleted agent's rows kept outside its folder (a shared database); nothing for SQLite. */
  forgetRows(agentId: string): Promise<void>;
  /**
   * With rows in a shared database: the longest a delete waits for the agent's runs on every replica to let go of
   * their locks before `forgetRows` (each replica ends them at its next look). Null or absent (SQLite, whose rows go
   * with the folder): no wait.
   */
  runLocksWaitMs?: number | null;
  logger: Logger;
}

export function createAgentsService<S extends AgentsPorts>({
  registry,
  sessionCounts,
  coordinator,
  forgetRows,
  runLocksWaitMs,
  logger,
}: AgentsServiceDeps<S>): AgentsService<S> {
  /** Runs `work` holding the id's lifecycle lock; 409 `conflict` while someone else holds it. */
  const exclusively = async <T>(rawId: string, work: (id: string) => Promise<T>): Promise<T> => {
    const id = normalizeAgentId(rawId);
    const lock = await coordinator.tryLock(agentLifecycleLock(id));
    if (!lock) throw new AppError('conflict', `Agent ${id} is being created or deleted by another request; try again`);
    try {
      return await work(id);
    } finally {
      await lock.release();
    }
  };

  /**
   * Resolves once no run of agent `id` holds a lock on any replica (a write it starts later would outlive
   * `forgetRows` and land on a re-created agent of the id), or after `runLocksWaitMs`: the rows then go anyway,
   * with a warning naming the locks still held.
   */
  const runsReleased = async (id: string) => {
    if (!runLocksWaitMs) return;
    const deadline = performance.now() + runLocksWaitMs;
    for (;;) {
      const held = (await coordinator.heldLocks(agentRunLockPrefixes(id))).filter((name) => isAgentRunLock(id, name));
      if (held.length === 0) return;
      if (performance.now() >= deadline) {
        const locks = held.map((name) => name.replaceAll('\u0000', '/'));
        logger.warn('rows of a deleted agent removed while its runs still hold locks', { agent_id: id, locks });
        return;
      }
      await Bun.sleep(RUN_LOCKS_POLL_MS);
    }
  };

  /**
   * An agent's row in a listing; caught outside the summary, so a failure is never remembered (the next listing
   * tries the storage again). Null for an agent deleted while the listing ran: it is not an agent any more.
   */
  const listed = async (agent: AgentHandle<S>): Promise<AgentMeta | null> => {
    try {
      return await registry.summary(agent, meta);
    } catch (error) {
      if (isAppError(error) && error.code === 'agent_deleted') return null;
      return brokenMeta(agent, error);
    }
  };

  /** Reads the storage once (so a remembered summary stays valid until the agent is used again). */
  const meta = async (agent: AgentHandle<S>): Promise<AgentMeta> => {
    const storage = agent.storage;
    const [createdAt, counts] = await Promise.all([storage.agentMeta.createdAt(), sessionCounts(storage)]);
    return {
      agentId: agent.id,
      path: agent.root,
      createdAt,
      updatedAt: Math.max(counts.lastUpdatedAt ?? 0, createdAt),
      activeSessions: counts.active,
      archivedSessions: counts.archived,
    };
  };

  /**
   * The row of an agent whose storage failed with a fault of its own (logged): what its folder says, zero counts,
   * and the fault. Anything else (a bug, a shared database that is away) fails the listing as before.
   */
  const brokenMeta = (agent: AgentHandle<S>, error: unknown): AgentMeta => {
    const fault = storageFaultError(error, registry.dataDir);
    if (!fault || fault.details?.reason === 'database_unreachable') throw error;
    logger.warn('agent listed without its storage', { agent_id: agent.id, error: String(error) });
    let createdAt = 0;
    try {
      createdAt = toEpochSeconds(statSync(agent.root).birthtimeMs);
    } catch {
      // The folder went meanwhile (a deletion): its row says 0, as its counts do.
    }
    const { code, message, details } = fault;
    return {
      agentId: agent.id,
      path: agent.root,
      createdAt,
      updatedAt: createdAt,
      activeSessions: 0,
      archivedSessions: 0,
      error: { code, message, ...(details ? { details } : {}) },
    };
  };

  return {
    get dataDir() {
      return registry.dataDir;
    },
    sharedSkillsDir: registry.sharedSkillsDir,
    ids: () => registry.ids(),
    get: (rawId) => registry.get(rawId),
    subscribe: (listener) => registry.subscribe(listener),
    // A few agents at a time (a shared database answers them together), the thread given back between slices: with
    // thousands of agents, or more than may stay open, the first listing opens each database (ms apiece).
    async list() {
      const rows: AgentMeta[] = [];
      const agents = registry.all();
      const slices = timeSlices(LIST_SLICE_MS);
      for (let index = 0; index < agents.length; index += LIST_BATCH) {
        for (const row of await Promise.all(agents.slice(index, index + LIST_BATCH).map(listed)))
          if (row) rows.push(row);
        if (slices.due) await slices.next();
      }
      return rows;
    },
    create: (rawId) => exclusively(rawId, async (id) => meta(registry.create(id))),
    // The rows go before the lock does: a creation of the same id (here or on another replica) never meets them.
    // And after the agent's runs let go of their locks: what they wrote meanwhile goes with the rest.
    delete: (rawId) =>
      exclusively(rawId, async (id) => {
        registry.delete(id);
        await runsReleased(id)
          .then(() => forgetRows(id))
          .catch((error: unknown) =>
            logger.error('rows of a deleted agent not removed', { agent_id: id, error: String(error) }),
          );
      }),
    openCount: () => registry.openCount(),
    start: () => registry.start(),
    close: () => registry.close(),
  };
}
