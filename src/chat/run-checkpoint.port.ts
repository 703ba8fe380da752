// The chat domain's storage port for paused runs: the state a run waiting for approvals needs to go on after a restart.

/** One stored checkpoint: the run it belongs to and its state (a JSON document the chat domain reads back). */
export interface RunCheckpoint {
  runId: string;
  sessionId: string;
  /** What `PausedTurn` holds (see paused-turn.ts); opaque to the adapters. */
  state: unknown;
  updatedMs: number;
}

export interface RunCheckpointStore {
  /** Stores (or replaces) the checkpoint of `runId`. */
  put(checkpoint: RunCheckpoint): Promise<void>;
  get(runId: string): Promise<RunCheckpoint | null>;
  /** Every checkpoint, oldest first, at most `limit`. */
  list(limit: number): Promise<RunCheckpoint[]>;
  /** Removes the checkpoint; false when there was none. */
  delete(runId: string): Promise<boolean>;
}

export interface RunCheckpointPorts {
  checkpoints: RunCheckpointStore;
}
