// AgentsService: the agents domain at the edge (list, create, delete with their metadata) and the directory other domains use.
import { agentLifecycleLock, type Coordinator } from '../coordination';
import { AppError } from '../shared/app-error';
import type { Logger } from '../shared/logger';
import type { AgentHandle } from './agent-handle';
import type { AgentsPorts } from './agent-meta.port';
import { normalizeAgentId, type AgentDirectory, type AgentRegistry } from './agent-registry';

export interface AgentMeta {
  agentId: string;
  path: string;
  createdAt: number;
  updatedAt: number;
  activeSessions: number;
  archivedSessions: number;
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
  /** Every agent with its metadata, by id. Agents unchanged since the last listing are not opened again. */
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
  logger: Logger;
}

export function createAgentsService<S extends AgentsPorts>({
  registry,
  sessionCounts,
  coordinator,
  forgetRows,
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

  return {
    get dataDir() {
      return registry.dataDir;
    },
    sharedSkillsDir: registry.sharedSkillsDir,
    ids: () => registry.ids(),
    get: (rawId) => registry.get(rawId),
    subscribe: (listener) => registry.subscribe(listener),
    list: () => Promise.all(registry.all().map((agent) => registry.summary(agent, meta))),
    create: (rawId) => exclusively(rawId, async (id) => meta(registry.create(id))),
    // The rows go before the lock does: a creation of the same id (here or on another replica) never meets them.
    delete: (rawId) =>
      exclusively(rawId, async (id) => {
        registry.delete(id);
        await forgetRows(id).catch((error: unknown) =>
          logger.error('rows of a deleted agent not removed', { agent_id: id, error: String(error) }),
        );
      }),
    openCount: () => registry.openCount(),
    start: () => registry.start(),
    close: () => registry.close(),
  };
}
