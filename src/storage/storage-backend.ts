// Where agents' rows live: per-agent SQLite files (the default) or one shared PostgreSQL database (--database-url).
import type { Coordinator } from '../coordination';
import type { SharedEmbeddingCache } from '../retrieval';
import type { StorageHealth } from '../shared/storage-probe';
import type { AgentStorage } from './agent-storage';

/** What the composition root needs of a storage choice. */
export interface StorageBackend {
  readonly kind: 'sqlite' | 'postgres';
  /** The agent registry's opener of an agent's ports bundle. */
  openStorage(id: string, root: string): AgentStorage;
  /** Locks and buckets every replica on this storage shares; null: a private in-memory one is enough. */
  readonly coordinator: Coordinator | null;
  /** Vectors every replica shares, so no text is embedded twice; null: each index's own cache is all there is. */
  readonly embeddingCache: SharedEmbeddingCache | null;
  /** Prepares the storage before anything reads it (migrations); throws what stops the server. */
  start(): Promise<void>;
  /** The shared database's state for readiness; null when there is none (SQLite files live in the data folder). */
  health(): Promise<StorageHealth | null>;
  /**
   * With storage other replicas share: the agents with scheduler work by `untilMs` (a job due, or a run in
   * progress that may belong to a dead replica), so the scheduler's look for others' work skips the rest.
   * Absent: every agent is looked at.
   */
  schedulerWork?(untilMs: number): Promise<Set<string>>;
  /** With shared storage: the agents with a live chat snapshot now (a run in progress, or a dead replica's). */
  liveSessionAgents?(): Promise<Set<string>>;
  /** Removes the rows of a deleted agent that live outside its folder. */
  forgetAgent(id: string): Promise<void>;
  /** Closes connections (after the coordinator has let go). */
  close(): Promise<void>;
}
