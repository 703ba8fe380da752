// The set of agents: ids and folders; create, list, delete; handles whose storage opens on demand (see agent-handles.ts).
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RuntimeConfigStore } from '../config/runtime-config';
import { AGENT_DB_MIGRATIONS } from '../db/agent-db.schema';
import { openDatabase } from '../db/open-database';
import { createSqliteSessionStore } from '../sessions/session.store';
import { AppError, invalidRequest, notFound } from '../shared/app-error';
import { toEpochSeconds, type Clock } from '../shared/clock';
import { AGENT_ID_MESSAGE, isValidAgentId } from '../shared/ids';
import type { Logger } from '../shared/logger';
import { createAgentHandles, type AgentHandle, type AgentStorage } from './agent-handles';
import { defaultMaxOpenAgents, readOpenFileLimit } from './open-agent-cap';
import { repairAgent, seedBuiltinSkills, seedNewAgent } from './workspace-seeder';
import { AGENT_DB_FILE, AGENT_STORAGE_FOLDER } from '../shared/agent-storage';

export type { AgentHandle, AgentLease, AgentResource, ResourceSlot } from './agent-handles';

export const DEFAULT_AGENT_ID = 'default';
/** Unleased agent storage unused this long is closed (reopened on the next use). */
export const AGENT_IDLE_CLOSE_MS = 10 * 60_000;

export interface AgentMeta {
  agentId: string;
  path: string;
  createdAt: number;
  updatedAt: number;
  activeSessions: number;
  archivedSessions: number;
}

export type AgentEvent = { type: 'created' | 'deleted'; agentId: string };

export interface AgentRegistry {
  readonly dataDir: string;
  readonly sharedSkillsDir: string;
  list(): AgentMeta[];
  ids(): string[];
  /** Creates and seeds a new agent. 400 on a bad id, 409 `conflict` when it exists. */
  create(rawId: string): AgentMeta;
  /**
   * Deletes an agent: its folder is moved aside at once (the id is free to create again), work holding
   * a lease ends with `agent_deleted`, and the storage closes and the folder goes when the last lease is
   * released. 409 for `default`, 404 when unknown.
   */
  delete(rawId: string): void;
  /**
   * The agent for a raw id (trimmed; empty means `default`). 400 on a bad id, 404 when unknown. Never
   * creates; opens nothing until the handle's storage is used.
   */
  get(rawId?: string | null): AgentHandle;
  meta(agent: AgentHandle): AgentMeta;
  subscribe(listener: (event: AgentEvent) => void): () => void;
  /** Agents whose storage is open now (at most `maxOpenAgents` without leases). */
  openCount(): number;
  close(): void;
}

/** Trims an agent id, maps empty to `default`, and checks the pattern (400 `invalid_request`). */
export function normalizeAgentId(rawId: string | null | undefined): string {
  const id = (rawId ?? '').trim() || DEFAULT_AGENT_ID;
  if (!isValidAgentId(id)) throw invalidRequest(AGENT_ID_MESSAGE);
  return id;
}

export interface AgentRegistryDeps {
  dataDir: string;
  configStore: RuntimeConfigStore;
  clock: Clock;
  logger: Logger;
  /** Agents whose storage may stay open without a lease (APP_MAX_OPEN_AGENTS); by default derived from the open-file limit. */
  maxOpenAgents?: number;
  /** Unleased storage unused this long is closed (AGENT_IDLE_CLOSE_MS by default). */
  idleCloseMs?: number;
}

/** Opens the registry: seeds the shared skills, repairs existing agents and provisions `default`. Opens no agent database. */
export function openAgentRegistry({ dataDir, configStore, clock, logger, maxOpenAgents, idleCloseMs }: AgentRegistryDeps): AgentRegistry {
  const workspacesDir = join(dataDir, 'workspaces');
  const sharedSkillsDir = join(dataDir, 'skills');
  mkdirSync(workspacesDir, { recursive: true });
  seedBuiltinSkills(sharedSkillsDir);
  const listeners = new Set<(event: AgentEvent) => void>();
  const rootOf = (id: string) => join(workspacesDir, id);
  const exists = (id: string) => {
    try {
      return statSync(rootOf(id)).isDirectory();
    } catch {
      // Not there (or not reachable): no such agent.
      return false;
    }
  };
  const emit = (event: AgentEvent) => {
    for (const listener of listeners) listener(event);
  };

  /**
   * Opens an agent's database. Nothing of this process can be mid-run there (a run holds a lease, and
   * leased storage is never closed), so live snapshots found now were left by an earlier process.
   */
  const openStorage = (id: string, root: string): AgentStorage => {
    const db = openDatabase(join(root, AGENT_STORAGE_FOLDER, AGENT_DB_FILE), AGENT_DB_MIGRATIONS);
    if (!db.query("SELECT 1 FROM agent_meta WHERE key = 'created_at'").get()) {
      db.query("INSERT OR IGNORE INTO agent_meta (key, value) VALUES ('created_at', ?)").run(String(toEpochSeconds(statSync(root).birthtimeMs || clock.nowMs())));
    }
    const sessions = createSqliteSessionStore(db, clock);
    // Live snapshots left by a server that stopped mid-run become `interrupted` replies.
    const interrupted = sessions.recoverInterrupted();
    if (interrupted > 0) logger.warn('recovered interrupted chat runs', { agent_id: id, sessions: interrupted });
    return { db, sessions };
  };
  const handles = createAgentHandles({
    openStorage,
    config: (root) => configStore.effective(root),
    maxOpen: maxOpenAgents ?? defaultMaxOpenAgents(readOpenFileLimit()),
    idleMs: idleCloseMs ?? AGENT_IDLE_CLOSE_MS,
    clock,
    logger,
  });
  let deletions = 0;

  const meta = (agent: AgentHandle): AgentMeta => {
    const createdAt = Number(
      (agent.db.query("SELECT value FROM agent_meta WHERE key = 'created_at'").get() as { value: string } | null)?.value ?? 0,
    );
    const counts = agent.db
      .query('SELECT sum(archived_at IS NULL) AS active, sum(archived_at IS NOT NULL) AS archived FROM sessions')
      .get() as { active: number | null; archived: number | null };
    const updatedAt = (agent.db.query('SELECT max(updated_at) AS at FROM sessions').get() as { at: number | null }).at;
    return {
      agentId: agent.id,
      path: agent.root,
      createdAt,
      updatedAt: Math.max(updatedAt ?? 0, createdAt),
      activeSessions: counts.active ?? 0,
      archivedSessions: counts.archived ?? 0,
    };
  };

  const ids = () =>
    readdirSync(workspacesDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && isValidAgentId(entry.name))
      .map((entry) => entry.name)
      .sort();

  for (const entry of readdirSync(workspacesDir)) {
    // Leftovers of a create or delete that a crash interrupted.
    if (entry.startsWith('.creating-') || entry.startsWith('.deleting-')) rmSync(join(workspacesDir, entry), { recursive: true, force: true });
  }
  if (!exists(DEFAULT_AGENT_ID)) seedNewAgent(rootOf(DEFAULT_AGENT_ID), sharedSkillsDir);
  for (const id of ids()) {
    // One agent's damaged folder (an area replaced by a link, a file where a folder belongs) never stops the server.
    try {
      const { repaired, skipped } = repairAgent(rootOf(id));
      if (repaired.length > 0) logger.info('repaired missing agent files', { agentId: id, files: repaired });
      if (skipped.length > 0) logger.warn('agent areas are not real folders; left untouched', { agentId: id, areas: skipped });
    } catch (error) {
      logger.error('agent repair failed', { agentId: id, error: String(error) });
    }
  }

  return {
    dataDir,
    sharedSkillsDir,
    ids,
    list: () => ids().map((id) => handles.summary(handles.handle(id, rootOf(id)), meta)),
    create(rawId) {
      const id = normalizeAgentId(rawId);
      if (exists(id)) throw new AppError('conflict', `Agent already exists: ${id}`);
      // Seed in a staging folder and rename it in, so a crash never leaves a half-seeded agent.
      const staging = join(workspacesDir, `.creating-${id}-${process.pid}`);
      rmSync(staging, { recursive: true, force: true });
      try {
        seedNewAgent(staging, sharedSkillsDir);
        renameSync(staging, rootOf(id));
      } catch (error) {
        removeStaging(staging, logger);
        throw error;
      }
      const handle = handles.handle(id, rootOf(id));
      emit({ type: 'created', agentId: id });
      return meta(handle);
    },
    delete(rawId) {
      const id = normalizeAgentId(rawId);
      if (id === DEFAULT_AGENT_ID) throw new AppError('conflict', 'Default agent cannot be deleted');
      if (!exists(id)) throw notFound('Agent not found');
      // Move aside first so the id is free at once; the tree goes when no work uses it any more.
      const trash = join(workspacesDir, `.deleting-${id}-${clock.nowMs()}-${++deletions}`);
      renameSync(rootOf(id), trash);
      configStore.forget(rootOf(id));
      handles.retire(id, trash);
      emit({ type: 'deleted', agentId: id });
    },
    get(rawId) {
      const id = normalizeAgentId(rawId);
      if (!exists(id)) throw notFound(`Agent not found: ${id}`);
      return handles.handle(id, rootOf(id));
    },
    meta,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    openCount: () => handles.openCount(),
    close: () => handles.close(),
  };
}

/** Removes a half-seeded staging folder after a failed create (a full disk); what cannot go now goes at the next start. */
function removeStaging(staging: string, logger: Logger): void {
  try {
    rmSync(staging, { recursive: true, force: true });
  } catch (error) {
    logger.warn('could not remove a failed agent staging folder', { staging, error: String(error) });
  }
}
