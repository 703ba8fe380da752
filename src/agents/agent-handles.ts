// Agent handles and their lifecycle: databases opened on first use, pinned by leases, closed when idle, past the cap, or deleted.
import type { Database } from 'bun:sqlite';
import { rmSync } from 'node:fs';
import type { RuntimeConfig } from '../config/runtime-config.schema';
import type { SessionStore } from '../sessions/session.store';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';

/** One agent, as long as it exists. Storage is opened on first use and may be closed and reopened between uses. */
export interface AgentHandle {
  readonly id: string;
  /** Absolute path of the agent folder. */
  readonly root: string;
  /** The agent database (opened, or reopened, on access). 404 `agent_deleted` once the agent is deleted. */
  readonly db: Database;
  /** The sessions of the agent database; as `db`. */
  readonly sessions: SessionStore;
  /** The effective runtime config, re-read when a config file changed. */
  config(): RuntimeConfig;
  /** Aborted when the agent is deleted: long work (a model call) stops on it. */
  readonly signal: AbortSignal;
  /** This agent's instance of `slot`, opened on first use and closed with the agent database. As `db` once deleted. */
  resource<T extends AgentResource>(slot: ResourceSlot<T>): T;
  /**
   * Pins the agent's storage open until released. Hold one across every `await` that uses the agent;
   * synchronous code needs none. 404 `agent_deleted` once the agent is deleted.
   */
  lease(): AgentLease;
}

/** A handle whose storage stays open until `release()` (or the end of a `using` block). */
export interface AgentLease extends AgentHandle, Disposable {
  /** Idempotent. The last release of a deleted agent closes its storage and removes its folder. */
  release(): void;
}

/** Something kept open per agent beside its database (the retrieval index) and closed with it. */
export interface AgentResource {
  close(): void;
}

/** A kind of per-agent resource: how to open it, and when an open one no longer fits the agent. */
export interface ResourceSlot<T extends AgentResource> {
  readonly name: string;
  open(agent: AgentHandle): T;
  /** False when the open instance no longer fits (its config moved it): it is closed and opened again. */
  isCurrent?(resource: T, agent: AgentHandle): boolean;
}

/** What the registry opens for an agent: its database and the stores over it. */
export interface AgentStorage {
  db: Database;
  sessions: SessionStore;
}

export interface AgentHandlesDeps {
  openStorage(id: string, root: string): AgentStorage;
  config(root: string): RuntimeConfig;
  /** Agents whose storage may stay open without a lease; leased agents may take the count past it for a while. */
  maxOpen: number;
  /** Storage unused this long (and unleased) is closed. */
  idleMs: number;
  clock: Clock;
  logger: Logger;
}

export interface AgentHandles {
  /** The handle of the current `id` at `root` (the same object until the agent is deleted). */
  handle(id: string, root: string): AgentHandle;
  /**
   * Deletes the current `id`: new leases and storage access answer `agent_deleted` and its signal aborts.
   * Its storage closes and `trash` (the folder, already moved there) is removed at once when unleased,
   * else when the last lease is released.
   */
  retire(id: string, trash: string): void;
  /**
   * `compute(handle)`, remembered until the agent's storage is used again (any access to `db`,
   * `sessions` or a resource, or a lease ending); never remembered while leased. Listing thousands of
   * agents then opens only those that changed.
   */
  summary<T>(handle: AgentHandle, compute: (agent: AgentHandle) => T): T;
  /** Agents whose storage is open now. */
  openCount(): number;
  /** Closes every agent's storage, leased or not (shutdown); later access answers 503 `not_ready`. */
  close(): void;
}

interface Entry {
  readonly id: string;
  readonly root: string;
  readonly abort: AbortController;
  readonly handle: AgentHandle;
  storage: (AgentStorage & { resources: Map<ResourceSlot<AgentResource>, AgentResource> }) | null;
  leases: number;
  lastUsedMs: number;
  deleted: boolean;
  /** Where a deleted agent's folder waits for its last lease. */
  trash: string | null;
  /** What `summary` computed, until the storage is used again. */
  summary: { value: unknown } | null;
}

/** 404 `agent_deleted`: the agent went away under work that was using it. */
export function agentDeleted(id: string, cause?: unknown): AppError {
  return new AppError('agent_deleted', `Agent was deleted: ${id}`, undefined, { cause });
}

export function createAgentHandles(deps: AgentHandlesDeps): AgentHandles {
  const { clock, logger } = deps;
  const current = new Map<string, Entry>();
  /** Entries with open storage, least recently used first. */
  const open = new Map<Entry, true>();
  let closed = false;

  const touch = (entry: Entry) => {
    entry.lastUsedMs = clock.nowMs();
    entry.summary = null;
    if (!entry.storage) return;
    open.delete(entry);
    open.set(entry, true);
  };

  const closeStorage = (entry: Entry) => {
    const storage = entry.storage;
    if (!storage) return;
    entry.storage = null;
    open.delete(entry);
    for (const [slot, resource] of storage.resources) {
      try {
        resource.close();
      } catch (error) {
        logger.error('agent resource did not close', { agent_id: entry.id, resource: slot.name, error: String(error) });
      }
    }
    storage.db.close();
  };

  const removeTrash = (id: string, trash: string) => {
    try {
      rmSync(trash, { recursive: true, force: true });
    } catch (error) {
      logger.warn('deleted agent folder not removed; it goes at the next start', { agent_id: id, path: trash, error: String(error) });
    }
  };

  const finishDeletion = (entry: Entry) => {
    closeStorage(entry);
    if (entry.trash) removeTrash(entry.id, entry.trash);
    entry.trash = null;
  };

  /** Closes unleased storage (never `keep`'s), least recently used first, while over the cap or idle too long. */
  const evict = (keep?: Entry) => {
    const idleBefore = clock.nowMs() - deps.idleMs;
    for (const entry of open.keys()) {
      const overCap = open.size > deps.maxOpen;
      if (!overCap && entry.lastUsedMs > idleBefore) break;
      if (entry.leases === 0 && entry !== keep) closeStorage(entry);
    }
  };
  const sweeper = setInterval(() => evict(), Math.max(1000, Math.floor(deps.idleMs / 2)));
  sweeper.unref();

  const assertUsable = (entry: Entry) => {
    if (closed) throw new AppError('not_ready', 'The server is shutting down');
    if (entry.deleted) throw agentDeleted(entry.id);
  };

  /** The entry's storage, opened if closed; every use also closes what is idle or past the cap (oldest first, usually none). */
  const storageOf = (entry: Entry) => {
    assertUsable(entry);
    entry.storage ??= { ...deps.openStorage(entry.id, entry.root), resources: new Map() };
    touch(entry);
    evict(entry);
    return entry.storage;
  };

  const resourceOf = <T extends AgentResource>(entry: Entry, slot: ResourceSlot<T>): T => {
    const { resources } = storageOf(entry);
    const existing = resources.get(slot) as T | undefined;
    if (existing && (!slot.isCurrent || slot.isCurrent(existing, entry.handle))) return existing;
    resources.delete(slot);
    existing?.close();
    const opened = slot.open(entry.handle);
    resources.set(slot, opened);
    return opened;
  };

  const leaseOf = (entry: Entry): AgentLease => {
    assertUsable(entry);
    entry.leases += 1;
    touch(entry);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      entry.leases -= 1;
      touch(entry);
      if (entry.leases > 0) return;
      if (entry.deleted) finishDeletion(entry);
      else evict();
    };
    const { handle } = entry;
    return {
      id: handle.id,
      root: handle.root,
      get db() {
        return handle.db;
      },
      get sessions() {
        return handle.sessions;
      },
      config: handle.config,
      signal: handle.signal,
      resource: handle.resource,
      lease: handle.lease,
      release,
      [Symbol.dispose]: release,
    };
  };

  const create = (id: string, root: string): Entry => {
    const abort = new AbortController();
    const handle: AgentHandle = {
      id,
      root,
      get db() {
        return storageOf(entry).db;
      },
      get sessions() {
        return storageOf(entry).sessions;
      },
      config: () => deps.config(root),
      signal: abort.signal,
      resource: (slot) => resourceOf(entry, slot),
      lease: () => leaseOf(entry),
    };
    const entry: Entry = { id, root, abort, handle, storage: null, leases: 0, lastUsedMs: clock.nowMs(), deleted: false, trash: null, summary: null };
    current.set(id, entry);
    return entry;
  };

  return {
    handle: (id, root) => (current.get(id) ?? create(id, root)).handle,
    summary<T>(handle: AgentHandle, compute: (agent: AgentHandle) => T): T {
      const entry = current.get(handle.id);
      if (entry?.handle !== handle) return compute(handle);
      if (entry.summary) return entry.summary.value as T;
      const value = compute(handle);
      if (entry.leases === 0) entry.summary = { value };
      return value;
    },
    retire(id, trash) {
      const entry = current.get(id);
      current.delete(id);
      if (!entry) return removeTrash(id, trash);
      entry.deleted = true;
      entry.trash = trash;
      entry.abort.abort(agentDeleted(id));
      if (entry.leases === 0) finishDeletion(entry);
    },
    openCount: () => open.size,
    close() {
      closed = true;
      clearInterval(sweeper);
      for (const entry of [...open.keys()]) closeStorage(entry);
    },
  };
}
