// The set of agents: ids and folders; create and delete; handles whose storage opens on demand (see agent-handles.ts).
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RuntimeConfigStore } from '../config';
import { AppError, invalidRequest, notFound } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { AGENT_ID_MESSAGE, isValidAgentId } from '../shared/ids';
import type { Logger } from '../shared/logger';
import type { AgentHandle, ClosableStorage } from './agent-handle';
import { createAgentHandles } from './agent-handles';
import { defaultMaxOpenAgents, readOpenFileLimit } from './open-agent-cap';
import { clearLeftovers, removeStaging } from './workspace-leftovers';
import { repairAgent, seedBuiltinSkills, seedNewAgent } from './workspace-seeder';

export const DEFAULT_AGENT_ID = 'default';
/** Unleased agent storage unused this long is closed (reopened on the next use). */
export const AGENT_IDLE_CLOSE_MS = 10 * 60_000;

export type AgentEvent = { type: 'created' | 'deleted'; agentId: string };

/** What other domains need of the agents: resolve an id to its handle, list ids, hear of creations and deletions. */
export interface AgentDirectory<S = unknown> {
  readonly dataDir: string;
  ids(): string[];
  /**
   * The agent for a raw id (trimmed; empty means `default`). 400 on a bad id, 404 when unknown. Never
   * creates; opens nothing until the handle's storage is used.
   */
  get(rawId?: string | null): AgentHandle<S>;
  subscribe(listener: (event: AgentEvent) => void): () => void;
}

export interface AgentRegistry<S extends ClosableStorage> extends AgentDirectory<S> {
  readonly sharedSkillsDir: string;
  /** Creates and seeds a new agent. 400 on a bad id, 409 `conflict` when it exists. */
  create(rawId: string): AgentHandle<S>;
  /**
   * Deletes an agent: its folder is moved aside at once (the id is free to create again), work holding
   * a lease ends with `agent_deleted`, and the storage closes and the folder goes when the last lease is
   * released. 409 for `default`, 404 when unknown.
   */
  delete(rawId: string): void;
  /** The handle of every agent, by id (as `ids()`). */
  all(): AgentHandle<S>[];
  /** `compute(agent)`, remembered while the agent's storage is unused (see AgentHandles.summary). */
  summary<T>(agent: AgentHandle<S>, compute: (agent: AgentHandle<S>) => T): T;
  /** Agents whose storage is open now (at most `maxOpenAgents` without leases). */
  openCount(): number;
  /**
   * Retires the handles of agents another replica deleted (their folder gone, or replaced by a re-created one),
   * as `delete` retires its own: leases end with `agent_deleted`, signals abort. Returns their ids.
   */
  noticeDeletions(): string[];
  /** Seeds the shared skills, clears interrupted creations and deletions, provisions `default`, repairs agents. */
  start(): void;
  close(): void;
}

/** Trims an agent id, maps empty to `default`, and checks the pattern (400 `invalid_request`). */
export function normalizeAgentId(rawId: string | null | undefined): string {
  const id = (rawId ?? '').trim() || DEFAULT_AGENT_ID;
  if (!isValidAgentId(id)) throw invalidRequest(AGENT_ID_MESSAGE);
  return id;
}

export interface AgentRegistryDeps<S extends ClosableStorage> {
  dataDir: string;
  configStore: RuntimeConfigStore;
  /** Opens an agent's storage ports (the composition root picks the adapter). */
  openStorage(id: string, root: string): S;
  clock: Clock;
  logger: Logger;
  /** Agents whose storage may stay open without a lease (APP_MAX_OPEN_AGENTS); by default derived from the open-file limit. */
  maxOpenAgents?: number;
  /** Unleased storage unused this long is closed (AGENT_IDLE_CLOSE_MS by default). */
  idleCloseMs?: number;
  /**
   * Other replicas share the data folder and may delete an agent under this one (PostgreSQL mode): a handle is then
   * tied to its folder's identity. Alone, nothing else deletes, and an identity that moves (Bun reads a folder's
   * birth time as its ctime where statx is missing) must not retire a live agent.
   */
  sharedFolder?: boolean;
}

/** Builds the registry; it touches no file until `start()`, and opens no agent storage until a handle's is used. */
export function createAgentRegistry<S extends ClosableStorage>(deps: AgentRegistryDeps<S>): AgentRegistry<S> {
  const { dataDir, configStore, clock, logger } = deps;
  const workspacesDir = join(dataDir, 'workspaces');
  const sharedSkillsDir = join(dataDir, 'skills');
  const listeners = new Set<(event: AgentEvent) => void>();
  const rootOf = (id: string) => join(workspacesDir, id);
  const identityOf = deps.sharedFolder ? folderIdentity : (path: string) => (isFolder(path) ? '' : null);
  const exists = (id: string) => identityOf(rootOf(id)) !== null;
  /** The handle of the agent whose folder is `folder` now (a new one when the folder is not the handle's). */
  const handleOf = (id: string, folder: string) => handles.handle(id, rootOf(id), folder);
  const emit = (event: AgentEvent) => {
    for (const listener of listeners) listener(event);
  };
  const handles = createAgentHandles({
    openStorage: deps.openStorage,
    config: (root) => configStore.effective(root),
    maxOpen: deps.maxOpenAgents ?? defaultMaxOpenAgents(readOpenFileLimit()),
    idleMs: deps.idleCloseMs ?? AGENT_IDLE_CLOSE_MS,
    clock,
    logger,
  });
  let deletions = 0;

  const ids = () =>
    readdirSync(workspacesDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && isValidAgentId(entry.name))
      .map((entry) => entry.name)
      .sort();

  return {
    dataDir,
    sharedSkillsDir,
    ids,
    start() {
      mkdirSync(workspacesDir, { recursive: true });
      seedBuiltinSkills(sharedSkillsDir);
      clearLeftovers(workspacesDir);
      if (!exists(DEFAULT_AGENT_ID)) seedNewAgent(rootOf(DEFAULT_AGENT_ID), sharedSkillsDir);
      for (const id of ids()) {
        // One agent's damaged folder (an area replaced by a link, a file where a folder belongs) never stops the server.
        const { repaired, skipped, dangling, failed } = repairAgent(rootOf(id));
        if (repaired.length > 0) logger.info('repaired missing agent files', { agentId: id, files: repaired });
        if (skipped.length > 0)
          logger.warn('agent areas are not real folders; left untouched', { agentId: id, areas: skipped });
        if (dangling.length > 0)
          logger.warn('agent files are links to nothing; left untouched', { agentId: id, files: dangling });
        for (const { file, error } of failed)
          logger.error('agent repair failed', { agentId: id, file, error: String(error) });
      }
    },
    create(rawId) {
      const id = normalizeAgentId(rawId);
      if (exists(id)) throw new AppError('conflict', `Agent already exists: ${id}`);
      // Seed in a staging folder and rename it in, so a crash never leaves a half-seeded agent.
      // Unique on a folder other replicas (possibly with the same pid, in containers) share.
      const staging = join(workspacesDir, `.creating-${id}-${process.pid}-${crypto.randomUUID().slice(0, 8)}`);
      rmSync(staging, { recursive: true, force: true });
      try {
        seedNewAgent(staging, sharedSkillsDir);
        renameSync(staging, rootOf(id));
      } catch (error) {
        removeStaging(staging, logger);
        // Another replica on the shared folder created it first: the rename onto its folder is refused.
        if (hasCode(error, 'ENOTEMPTY', 'EEXIST')) throw new AppError('conflict', `Agent already exists: ${id}`);
        throw error;
      }
      const handle = handleOf(id, identityOf(rootOf(id)) ?? '');
      emit({ type: 'created', agentId: id });
      return handle;
    },
    delete(rawId) {
      const id = normalizeAgentId(rawId);
      if (id === DEFAULT_AGENT_ID) throw new AppError('conflict', 'Default agent cannot be deleted');
      if (!exists(id)) throw notFound('Agent not found');
      // Move aside first so the id is free at once; the tree goes when no work uses it any more.
      const trash = join(workspacesDir, `.deleting-${id}-${clock.nowMs()}-${++deletions}`);
      try {
        renameSync(rootOf(id), trash);
      } catch (error) {
        // Another replica on the shared folder deleted it first.
        if (hasCode(error, 'ENOENT')) throw notFound('Agent not found');
        throw error;
      }
      configStore.forget(rootOf(id));
      handles.retire(id, trash);
      emit({ type: 'deleted', agentId: id });
    },
    get(rawId) {
      const id = normalizeAgentId(rawId);
      const folder = identityOf(rootOf(id));
      if (folder === null) throw notFound(`Agent not found: ${id}`);
      return handleOf(id, folder);
    },
    all: () =>
      ids().flatMap((id) => {
        const folder = identityOf(rootOf(id));
        // Deleted since it was listed (here or elsewhere): not an agent any more.
        return folder === null ? [] : [handleOf(id, folder)];
      }),
    noticeDeletions() {
      const gone = handles.current().filter(({ id, folder }) => identityOf(rootOf(id)) !== folder);
      for (const { id } of gone) {
        configStore.forget(rootOf(id));
        handles.retire(id, null);
      }
      return gone.map(({ id }) => id);
    },
    summary: (agent, compute) => handles.summary(agent, compute),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    openCount: () => handles.openCount(),
    close: () => handles.close(),
  };
}

/**
 * What tells one agent folder from another under the same path (one deleted and created again, maybe elsewhere):
 * device, inode and birth time (an inode number alone may be reused at once). Null when no folder is there.
 */
function folderIdentity(path: string): string | null {
  try {
    const stat = statSync(path);
    return stat.isDirectory() ? `${stat.dev}:${stat.ino}:${stat.birthtimeMs}` : null;
  } catch {
    // Not there (or not reachable): no such agent.
    return null;
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    // Not there (or not reachable): no such agent.
    return false;
  }
}

function hasCode(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes(String((error as { code?: unknown }).code));
}
