// The chat domain's storage port for runs: one row per turn (chat, cron, heartbeat), its status, timings and usage.

/** Where a run is: `running` and `waiting_approval` are active; the rest are final. */
export type RunStatus = 'running' | 'waiting_approval' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export const RUN_STATUSES: readonly RunStatus[] = [
  'running',
  'waiting_approval',
  'completed',
  'failed',
  'cancelled',
  'interrupted',
];

export const isActiveRunStatus = (status: RunStatus): boolean => status === 'running' || status === 'waiting_approval';

export interface RunRecord {
  /** The id sent in the turn's first `run_start` (later attempts of the turn have their own ids in events). */
  runId: string;
  sessionId: string;
  /** `chat`, `cron` or `heartbeat`. */
  trigger: string;
  status: RunStatus;
  startedMs: number;
  finishedMs: number | null;
  /** The model called; null until the turn has resolved it. */
  model: string | null;
  /** How many attempts the turn took so far. */
  attempts: number;
  /** The run's usage record (as stored in the usage ledger), null while no tokens were counted. */
  usage: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  approvalIds: string[];
}

/** A new run: running, nothing finished. */
export type NewRun = Pick<RunRecord, 'runId' | 'sessionId' | 'trigger' | 'startedMs' | 'model'>;

/** How an active run ended (or paused): the fields that change. */
export interface RunUpdate {
  status?: RunStatus;
  finishedMs?: number | null;
  model?: string | null;
  attempts?: number;
  usage?: Record<string, unknown> | null;
  error?: { code: string; message: string } | null;
  approvalIds?: string[];
}

export interface RunFilters {
  sessionId?: string;
  status?: RunStatus;
}

export interface RunPage {
  /** Newest first. */
  runs: RunRecord[];
  /** Pass as `before` for the next page; null on the last page. */
  next: number | null;
}

export interface RunStore {
  /** Stores a new `running` run. A run id already stored is a programming error (throws). */
  insert(run: NewRun): Promise<void>;
  /** Applies `update` while the run is active; false when it is unknown or already final (nothing changes). */
  update(runId: string, update: RunUpdate): Promise<boolean>;
  get(runId: string): Promise<RunRecord | null>;
  /** Newest first (by the order stored), at most `limit`, strictly older than the cursor `before` when given. */
  list(filters: RunFilters, limit: number, before?: number): Promise<RunPage>;
  /** Every active run (`running`, `waiting_approval`) becomes `interrupted`, finished now. Returns how many. */
  interruptRunning(nowMs: number): Promise<number>;
}

/** The ports an agent storage bundle carries for runs. */
export interface RunPorts {
  runs: RunStore;
}
