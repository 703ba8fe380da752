// Which agents' storage is open: kept least recently used first, closed when idle or past the cap unless leased, all at shutdown.
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import type { AgentResource, ClosableStorage, ResourceSlot } from './agent-handle';

/** An agent's open storage: its ports and the resources opened beside them. */
export interface OpenStorage<S extends ClosableStorage = ClosableStorage> {
  ports: S;
  resources: Map<ResourceSlot<AgentResource>, AgentResource>;
}

/** What the pool reads and writes of an agent's entry. */
export interface PooledAgent {
  readonly id: string;
  storage: OpenStorage | null;
  leases: number;
  lastUsedMs: number;
}

export interface StoragePoolDeps {
  /** Agents whose storage may stay open without a lease; leased agents may take the count past it for a while. */
  maxOpen: number;
  /** Storage unused this long (and unleased) is closed. */
  idleMs: number;
  clock: Clock;
  logger: Logger;
}

export interface StoragePool<E extends PooledAgent> {
  /** Marks `entry` most recently used when its storage is open (it joins the pool the first time). */
  used(entry: E): void;
  /** Closes `entry`'s storage and its resources (one that fails to close is logged); nothing when not open. */
  close(entry: E): void;
  /** Closes unleased storage (never `keep`'s), least recently used first, while over the cap or idle too long. */
  evict(keep?: E): void;
  /** Agents whose storage is open now. */
  size(): number;
  /** Stops the idle sweep and closes every agent's storage, leased or not (shutdown). */
  closeAll(): void;
}

/** Builds the pool; a sweep every half `idleMs` (at least a second) closes what went idle meanwhile. */
export function createStoragePool<E extends PooledAgent>(deps: StoragePoolDeps): StoragePool<E> {
  const { clock, logger } = deps;
  /** Entries with open storage, least recently used first. */
  const open = new Map<E, true>();

  const close = (entry: E) => {
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
    storage.ports.close();
  };

  const evict = (keep?: E) => {
    const idleBefore = clock.nowMs() - deps.idleMs;
    for (const entry of open.keys()) {
      const overCap = open.size > deps.maxOpen;
      if (!overCap && entry.lastUsedMs > idleBefore) break;
      if (entry.leases === 0 && entry !== keep) close(entry);
    }
  };
  const sweeper = setInterval(() => evict(), Math.max(1000, Math.floor(deps.idleMs / 2)));
  sweeper.unref();

  return {
    used(entry) {
      if (!entry.storage) return;
      open.delete(entry);
      open.set(entry, true);
    },
    close,
    evict,
    size: () => open.size,
    closeAll() {
      clearInterval(sweeper);
      for (const entry of [...open.keys()]) close(entry);
    },
  };
}
