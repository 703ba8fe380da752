// The scheduler's storage ports: cron jobs and their run rows (SchedulerStore), heartbeat rows (HeartbeatStore), per agent.
import type { ScheduleType } from './schedules';

export type CatchUpPolicy = 'skip' | 'run_once';
export type RunTrigger = 'scheduled' | 'manual';
/** `skipped_budget` is the pre-run budget check's (issue 7); `cancelled`: stopped through the runs API (issue 15). */
/** `waiting_approval`: the run's turn waits for a tool approval (then `running` again until it ends). */
export type CronRunStatus =
  | 'running'
  | 'waiting_approval'
  | 'ok'
  | 'error'
  | 'interrupted'
  | 'missed'
  | 'skipped_budget'
  | 'cancelled';

export interface CronJob {
  id: string;
  name: string;
  scheduleType: ScheduleType;
  schedule: string;
  /** Null: the agent's `cron.timezone`. */
  timezone: string | null;
  prompt: string;
  enabled: boolean;
  catchUp: CatchUpPolicy;
  /** Where the grid of an `every` schedule starts: creation, or the last schedule change. */
  anchorMs: number;
  nextRunMs: number | null;
  /** Bumped by every edit of schedule, zone or enabled, so a finishing run never overwrites one. */
  scheduleRev: number;
  createdMs: number;
  updatedMs: number;
  lastRunMs: number | null;
  lastSuccessMs: number | null;
  failureCount: number;
  lastError: string;
}

export interface CronRun {
  id: string;
  jobId: string;
  name: string;
  status: CronRunStatus;
  trigger: RunTrigger;
  timestampMs: number;
  scheduledMs: number | null;
  startedMs: number | null;
  finishedMs: number | null;
  scheduleLagMs: number | null;
  durationMs: number | null;
  runId: string | null;
  sessionId: string | null;
  responsePreview: string | null;
  error: string | null;
  failureCount: number | null;
  nextRunMs: number | null;
  disabled: boolean | null;
  details: Record<string, unknown>;
}

/** How a finishing run's row and its job change, decided from the job as it is when the change is made. */
export interface RunSettlement {
  /** The whole row to store under its id. */
  run: CronRun;
  /** Changes to the job; null for none (or when the job is gone). */
  job: Partial<CronJob> | null;
  /** Then keep only the newest `keep` rows of `status` (`not_error`: every status but error and running). */
  prune: { status: CronRunStatus | 'not_error'; keep: number } | null;
}

export interface SchedulerStore {
  /** Oldest first. */
  listJobs(): Promise<CronJob[]>;
  getJob(id: string): Promise<CronJob | null>;
  insertJob(job: CronJob): Promise<void>;
  /** Updates only the given fields; the job after the change, or null when it is gone. */
  updateJob(id: string, patch: Partial<CronJob>): Promise<CronJob | null>;
  /** False when there was no such job. Its run rows stay. */
  deleteJob(id: string): Promise<boolean>;
  /** Enabled jobs with a next run, earliest first. */
  upcoming(limit: number): Promise<{ id: string; nextRunMs: number }[]>;
  /**
   * Stores `runs` and applies `changes` to job `jobId` (when it still exists), in one transaction; `scheduled.changes`
   * too when the job's `scheduleRev` is still `scheduled.scheduleRev` (a schedule edited since the caller read the
   * job keeps the next run its edit set).
   */
  addRuns(
    runs: readonly CronRun[],
    jobId: string,
    changes: Partial<CronJob> | null,
    scheduled?: { scheduleRev: number; changes: Partial<CronJob> },
  ): Promise<void>;
  /**
   * In one transaction (a claim of the job row where the database has them): reads job `jobId`, asks
   * `settle` (synchronous, pure) what to write, writes the row and the job's changes, then prunes.
   * Returns the row written; null, writing nothing, when the stored row has ended already (the first end stays:
   * a run the server's stop stored `interrupted` is not overwritten by its own end).
   */
  settleRun(jobId: string, settle: (job: CronJob | null) => RunSettlement): Promise<CronRun | null>;
  getRun(id: string): Promise<CronRun | null>;
  /**
   * Sets the status of a row still in progress (`running` ↔ `waiting_approval`) and the id of its turn's run;
   * false when the row is gone or already final.
   */
  markRun(id: string, status: 'running' | 'waiting_approval', runId: string): Promise<boolean>;
  /** Newest first (by the order rows were stored); `statuses` narrows the rows. */
  listRuns(limit: number, statuses?: readonly CronRunStatus[]): Promise<CronRun[]>;
  /**
   * In one transaction: every row still `running` (or `waiting_approval`) gets the changes `interrupt` returns for it and its
   * job (null when the job is gone); a null answer leaves that row running (its run is alive elsewhere).
   * With `jobIds`, only the rows of those jobs are read and locked: the others are known to be alive elsewhere,
   * and waiting for them would only hold recovery up behind runs that are settling. Returns how many rows changed.
   */
  interruptRunning(
    interrupt: (run: CronRun, job: CronJob | null) => { run: Partial<CronRun>; job: Partial<CronJob> | null } | null,
    jobIds?: ReadonlySet<string>,
  ): Promise<number>;
}

export type HeartbeatStatus =
  | 'ok'
  | 'error'
  | 'skipped_outside_window'
  | 'skipped_no_prompt'
  | 'skipped_disabled'
  | 'skipped_busy'
  | 'skipped_budget'
  | 'cancelled'
  /** The tick's turn waits for a tool approval: replaced by the tick's final row when it ends. */
  | 'waiting_approval'
  /** The server stopped while the tick's turn waited for an approval. */
  | 'interrupted';

export interface HeartbeatRun {
  timestampMs: number;
  status: HeartbeatStatus;
  timezone: string;
  trigger: 'scheduled' | 'manual';
  scheduledMs: number | null;
  scheduleLagMs: number | null;
  durationMs: number | null;
  runId: string | null;
  sessionId: string | null;
  details: Record<string, unknown>;
}

export interface HeartbeatStore {
  /** Stores a row and keeps only the newest `keep`. */
  insert(run: HeartbeatRun, keep: number): Promise<void>;
  /** Newest first. */
  list(limit: number): Promise<HeartbeatRun[]>;
  /**
   * `waiting`: stores `run` as a `waiting_approval` row (status taken from it); otherwise removes the
   * `waiting_approval` row of `run.runId` (the tick goes on, and its final row comes with `insert`).
   */
  setWaiting(run: HeartbeatRun, waiting: boolean): Promise<void>;
  /** Every `waiting_approval` row of a session in `sessionIds` becomes `interrupted` with `reason`; returns how many. */
  interruptWaiting(sessionIds: readonly string[], reason: string): Promise<number>;
  /** The sessions of the `waiting_approval` rows. */
  waitingSessions(): Promise<string[]>;
  /** When the last scheduled tick was due, or null before the first. */
  lastScheduledMs(): Promise<number | null>;
}

/** The ports an agent storage bundle carries for the scheduler. */
export interface SchedulerPorts {
  scheduler: SchedulerStore;
  heartbeats: HeartbeatStore;
}
