// The registry's handles and their lifecycle: storage opened on first use, pinned by leases, closed when idle, past the cap, or deleted.
import { rmSync } from 'node:fs';
import type { RuntimeConfig } from '../config';
import { AppError } from '../shared/app-error';
import {
  agentDeleted,
  type AgentHandle,
  type AgentLease,
  type AgentResource,
  type ClosableStorage,
  type ResourceSlot,
} from './agent-handle';
import { createStoragePool, type OpenStorage, type PooledAgent, type StoragePoolDeps } from './storage-pool';

/** The pool's settings (`maxOpen`, `idleMs`), and how an agent's storage and config are had. */
export interface AgentHandlesDeps<S extends ClosableStorage> extends StoragePoolDeps {
  openStorage(id: string, root: string): S;
  config(root: string): RuntimeConfig;
}

export interface AgentHandles<S extends ClosableStorage> {
  /**
   * The handle of the current `id` at `root`, whose folder is `folder` (see `folderIdentity`): the same object until
   * the agent is deleted. A handle of another folder under the same id (deleted and created again elsewhere) is
   * retired first.
   */
  handle(id: string, root: string, folder: string): AgentHandle<S>;
  /**
   * Deletes the current `id`: new leases and storage access answer `agent_deleted` and its signal aborts.
   * Its storage closes and `trash` (the folder, already moved there) is removed at once when unleased,
   * else when the last lease is released; null when another replica deleted it (its folder is that replica's).
   */
  retire(id: string, trash: string | null): void;
  /** The id and folder identity of every current handle. */
  current(): { id: string; folder: string }[];
  /**
   * `compute(handle)`, remembered until the agent's storage is used again (any access to `storage`
   * or a resource, or a lease ending); never remembered while leased. Listing thousands of agents then
   * opens only those that changed. `compute` should touch the storage once (one synchronous access).
   */
  summary<T>(handle: AgentHandle<S>, compute: (agent: AgentHandle<S>) => T): T;
  /** Agents whose storage is open now. */
  openCount(): number;
  /** Closes every agent's storage, leased or not (shutdown); later access answers 503 `not_ready`. */
  close(): void;
}

interface Entry<S extends ClosableStorage> extends PooledAgent {
  readonly root: string;
  /** The identity of the folder the handle was made for. */
  readonly folder: string;
  readonly abort: AbortController;
  readonly handle: AgentHandle<S>;
  storage: OpenStorage<S> | null;
  deleted: boolean;
  /** Where a deleted agent's folder waits for its last lease. */
  trash: string | null;
  /** What `summary` computed, until the storage is used again. */
  summary: { value: unknown } | null;
}

export function createAgentHandles<S extends ClosableStorage>(deps: AgentHandlesDeps<S>): AgentHandles<S> {
  type AgentEntry = Entry<S>;
  const { clock, logger } = deps;
  const current = new Map<string, AgentEntry>();
  const pool = createStoragePool<AgentEntry>(deps);
  let closed = false;

  const touch = (entry: AgentEntry) => {
    entry.lastUsedMs = clock.nowMs();
    entry.summary = null;
    pool.used(entry);
  };

  const removeTrash = (id: string, trash: string) => {
    try {
      rmSync(trash, { recursive: true, force: true });
    } catch (error) {
      logger.warn('deleted agent folder not removed; it goes at the next start', {
        agent_id: id,
        path: trash,
        error: String(error),
      });
    }
  };

  const finishDeletion = (entry: AgentEntry) => {
    pool.close(entry);
    if (entry.trash) removeTrash(entry.id, entry.trash);
    entry.trash = null;
  };

  const assertUsable = (entry: AgentEntry) => {
    if (closed) throw new AppError('not_ready', 'The server is shutting down');
    if (entry.deleted) throw agentDeleted(entry.id);
  };

  /** The entry's storage, opened if closed; every use also closes what is idle or past the cap (oldest first, usually none). */
  const storageOf = (entry: AgentEntry) => {
    assertUsable(entry);
    entry.storage ??= { ports: deps.openStorage(entry.id, entry.root), resources: new Map() };
    touch(entry);
    pool.evict(entry);
    return entry.storage;
  };

  const resourceOf = <T extends AgentResource>(entry: AgentEntry, slot: ResourceSlot<T>): T => {
    const { resources } = storageOf(entry);
    const existing = resources.get(slot) as T | undefined;
    if (existing && (!slot.isCurrent || slot.isCurrent(existing, entry.handle))) return existing;
    resources.delete(slot);
    existing?.close();
    const opened = slot.open(entry.handle);
    resources.set(slot, opened);
    return opened;
  };

  const leaseOf = (entry: AgentEntry): AgentLease<S> => {
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
      else pool.evict();
    };
    const { handle } = entry;
    return {
      id: handle.id,
      root: handle.root,
      get storage() {
        return handle.storage;
      },
      config: handle.config,
      signal: handle.signal,
      resource: handle.resource,
      lease: handle.lease,
      release,
      [Symbol.dispose]: release,
    };
  };

  const retire = (id: string, trash: string | null) => {
    const entry = current.get(id);
    current.delete(id);
    if (!entry) {
      if (trash) removeTrash(id, trash);
      return;
    }
    entry.deleted = true;
    entry.trash = trash;
    entry.abort.abort(agentDeleted(id));
    if (entry.leases === 0) finishDeletion(entry);
  };

  const create = (id: string, root: string, folder: string): AgentEntry => {
    const abort = new AbortController();
    const handle: AgentHandle<S> = {
      id,
      root,
      get storage() {
        return storageOf(entry).ports;
      },
      config: () => deps.config(root),
      signal: abort.signal,
      resource: (slot) => resourceOf(entry, slot),
      lease: () => leaseOf(entry),
    };
    const entry: AgentEntry = {
      id,
      root,
      folder,
      abort,
      handle,
      storage: null,
      leases: 0,
      lastUsedMs: clock.nowMs(),
      deleted: false,
      trash: null,
      summary: null,
    };
    current.set(id, entry);
    return entry;
  };

  return {
    handle(id, root, folder) {
      const entry = current.get(id);
      if (entry?.folder === folder) return entry.handle;
      if (entry) retire(id, null);
      return create(id, root, folder).handle;
    },
    summary<T>(handle: AgentHandle<S>, compute: (agent: AgentHandle<S>) => T): T {
      const entry = current.get(handle.id);
      if (entry?.handle !== handle) return compute(handle);
      if (entry.summary) return entry.summary.value as T;
      const value = compute(handle);
      if (entry.leases > 0) return value;
      const remembered = { value };
      entry.summary = remembered;
      // A summary that failed is not kept: the next call computes it again.
      if (value instanceof Promise) value.catch(() => entry.summary === remembered && (entry.summary = null));
      return value;
    },
    retire,
    current: () => [...current.values()].map(({ id, folder }) => ({ id, folder })),
    openCount: () => pool.size(),
    close() {
      closed = true;
      pool.closeAll();
    },
  };
}
