// How a finished cron run changes its row and its job: success resets the streak, failure backs off or disables.
import type { RuntimeConfig } from '../config';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import type { RunLog } from './run-log';
import { describeFailure, preview } from './scheduled-turn';
import { retryDelayMs } from './schedules';
import type { CronJob, CronRun, SchedulerStore } from './scheduler.port';

/** Rows other than failures kept per agent (failures follow `cron.failure_retention`). */
export const CRON_RUN_RETENTION = 5000;

export interface RunOutcomeDeps {
  /** The store of the agent database open now (asked again on every outcome). */
  store(): SchedulerStore;
  clock: Clock;
  logger: Logger;
  agentId: string;
  config(): RuntimeConfig['cron'];
  runLog: RunLog;
  failureLog: RunLog;
}

/**
 * Each outcome returns the row as stored: a row that had ended already (the server's stop stored it `interrupted`)
 * keeps its end, and the outcome then changes neither the job nor the logs.
 */
export interface RunOutcomes {
  /** Completes `base` as `ok`; the job's failure streak ends; a scheduled one-shot job is done. */
  succeed(job: CronJob, base: CronRun, runId: string, content: string): Promise<CronRun>;
  /**
   * Completes `base` as `error`; the streak grows; a scheduled run retries after the backoff unless
   * the job was rescheduled meanwhile; `max_failures` in a row disable the job.
   */
  fail(job: CronJob, base: CronRun, error: unknown): Promise<CronRun>;
  /** Completes `base` as `cancelled` (stopped through the runs API): the job's failure streak and schedule stay as they are. */
  cancel(job: CronJob, base: CronRun, runId: string | null): Promise<CronRun>;
  /**
   * Stores `row` (status `error`; `written`: over its `running` row) for a run that failed outright, before its outcome was written (its claim or a
   * write threw: a full disk, say). The job's streak and schedule stay: its storage failed, not its turn. Throws
   * what the store throws when it still refuses the write.
   */
  crash(row: CronRun, written: boolean): Promise<CronRun>;
}

export function createRunOutcomes(deps: RunOutcomeDeps): RunOutcomes {
  const { clock, logger } = deps;

  const finishedFields = (base: CronRun) => {
    const finishedMs = clock.nowMs();
    return { timestampMs: finishedMs, finishedMs, durationMs: finishedMs - base.startedMs! };
  };

  /** The row a settle found ended already, as it is stored (or `base`, should it be gone). */
  const endedRow = async (base: CronRun): Promise<CronRun> => (await deps.store().getRun(base.id)) ?? base;

  const succeed = async (job: CronJob, base: CronRun, runId: string, content: string): Promise<CronRun> => {
    const row: CronRun = { ...base, ...finishedFields(base), status: 'ok', runId, responsePreview: preview(content) };
    const written = await deps.store().settleRun(job.id, (current) => {
      if (!current) return { run: row, job: null, prune: null };
      const changes: Partial<CronJob> = {
        failureCount: 0,
        lastError: '',
        lastSuccessMs: row.finishedMs,
        updatedMs: row.finishedMs!,
      };
      // A one-shot job is done after a successful scheduled run, unless it was edited meanwhile.
      if (job.scheduleType === 'at' && base.trigger === 'scheduled' && current.scheduleRev === job.scheduleRev) {
        Object.assign(changes, { enabled: false, nextRunMs: null, scheduleRev: current.scheduleRev + 1 });
      }
      return { run: row, job: changes, prune: { status: 'not_error', keep: CRON_RUN_RETENTION } };
    });
    if (!written) return await endedRow(base);
    deps.runLog.append(wireLogRow(row));
    return row;
  };

  const fail = async (job: CronJob, base: CronRun, error: unknown): Promise<CronRun> => {
    const config = deps.config();
    const message = describeFailure(error);
    const finished = finishedFields(base);
    const failed: CronRun = { ...base, ...finished, status: 'error', error: message };
    const row = await deps.store().settleRun(job.id, (current) => {
      if (!current) return { run: failed, job: null, prune: null };
      const failureCount = current.failureCount + 1;
      const disabled = failureCount >= config.max_failures;
      const changes: Partial<CronJob> = { failureCount, lastError: message, updatedMs: finished.finishedMs };
      // Retry after the backoff unless the job was rescheduled, disabled or re-enabled meanwhile.
      if (base.trigger === 'scheduled' && current.scheduleRev === job.scheduleRev) {
        changes.nextRunMs =
          finished.finishedMs + retryDelayMs(failureCount, config.retry_base_seconds, config.retry_max_seconds);
      }
      if (disabled && current.enabled) Object.assign(changes, { enabled: false, scheduleRev: current.scheduleRev + 1 });
      const updated = { ...current, ...changes };
      return {
        run: { ...failed, failureCount, nextRunMs: updated.nextRunMs, disabled: !updated.enabled },
        job: changes,
        prune: { status: 'error', keep: config.failure_retention },
      };
    });
    if (!row) return await endedRow(base);
    deps.failureLog.append(wireLogRow(row));
    logger.warn('cron run failed', { agent_id: deps.agentId, job_id: job.id, error: message });
    return row;
  };

  const cancel = async (job: CronJob, base: CronRun, runId: string | null): Promise<CronRun> => {
    const row: CronRun = { ...base, ...finishedFields(base), status: 'cancelled', runId };
    const written = await deps.store().settleRun(job.id, (current) => ({
      run: row,
      job: current ? { updatedMs: row.finishedMs! } : null,
      prune: current ? { status: 'not_error', keep: CRON_RUN_RETENTION } : null,
    }));
    if (!written) return await endedRow(base);
    deps.runLog.append(wireLogRow(row));
    return row;
  };

  const crash = async (row: CronRun, written: boolean): Promise<CronRun> => {
    // A run that failed before its `running` row was written gets the row now; settling it then prunes old failures.
    if (!written) await deps.store().addRuns([row], row.jobId, null);
    const stored = await deps.store().settleRun(row.jobId, (current) => ({
      run: row,
      job: null,
      prune: current ? { status: 'error', keep: deps.config().failure_retention } : null,
    }));
    if (!stored) return await endedRow(row);
    deps.failureLog.append(wireLogRow(stored));
    return stored;
  };

  return { succeed, fail, cancel, crash };
}

/** The JSONL line for a run: the contract's fields first, then ours. */
export function wireLogRow(run: CronRun): Record<string, unknown> {
  return {
    timestamp_ms: run.timestampMs,
    job_id: run.jobId,
    name: run.name,
    status: run.status,
    ...(run.responsePreview !== null ? { response_preview: run.responsePreview } : {}),
    ...(run.error !== null
      ? {
          error: run.error,
          failure_count: run.failureCount,
          next_run_ts: (run.nextRunMs ?? 0) / 1000,
          disabled: run.disabled,
        }
      : {}),
    id: run.id,
    trigger: run.trigger,
    run_id: run.runId,
    session_id: run.sessionId,
    duration_ms: run.durationMs,
    schedule_lag_ms: run.scheduleLagMs,
  };
}
