// AgentsService: the agents domain at the edge (list, create, delete with their metadata) and the directory other domains use.
import type { AgentHandle } from './agent-handle';
import type { AgentsPorts } from './agent-meta.port';
import type { AgentDirectory, AgentRegistry } from './agent-registry';

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
  /** Deletes an agent (see AgentRegistry.delete). 409 for `default`, 404 when unknown. */
  delete(rawId: string): void;
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
}

export function createAgentsService<S extends AgentsPorts>({
  registry,
  sessionCounts,
}: AgentsServiceDeps<S>): AgentsService<S> {
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
    create: (rawId) => meta(registry.create(rawId)),
    delete: (rawId) => registry.delete(rawId),
    openCount: () => registry.openCount(),
    start: () => registry.start(),
    close: () => registry.close(),
  };
}
