// A cron run whose claim or a write threw: its row stored as `error` when storage takes it, the failure logged once.
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import type { RunOutcomes } from './cron-run-outcomes';
import { runRow } from './run-row';
import { describeFailure } from './scheduled-turn';
import type { RunTrigger, SchedulerStore } from './scheduler.port';

export interface CronCrashRecorderDeps {
  /** The store of the agent database open now (asked again on every crash). */
  store(): SchedulerStore;
  outcomes: Pick<RunOutcomes, 'crash'>;
  clock: Clock;
  logger: Logger;
  agentId: string;
}

/**
 * Records run `rowId` of job `jobId` (the slot it was due for, null for a manual run) as `error` when storage takes
 * it (keeping what its `running` row held) and logs the failure once, with `retry` (the try and the wait before the
 * next). Never throws.
 */
export type CronCrashRecorder = (
  jobId: string,
  slotMs: number | null,
  trigger: RunTrigger,
  rowId: string,
  error: unknown,
  retry: { attempt: number; retryInMs: number },
) => Promise<void>;

export function createCronCrashRecorder(deps: CronCrashRecorderDeps): CronCrashRecorder {
  const { store, outcomes, clock, logger, agentId } = deps;

  /** True when run `rowId`'s failure is stored; false when the job is gone or storage still refuses. */
  const recordCrash = async (
    jobId: string,
    slotMs: number | null,
    trigger: RunTrigger,
    rowId: string,
    error: unknown,
  ): Promise<boolean> => {
    try {
      const [job, written] = await Promise.all([store().getJob(jobId), store().getRun(rowId)]);
      if (!job) return false;
      const nowMs = clock.nowMs();
      const started =
        written ?? runRow({ id: rowId, jobId, name: job.name, status: 'error', trigger, timestampMs: nowMs });
      const durationMs = started.startedMs === null ? null : nowMs - started.startedMs;
      const row = { ...started, status: 'error' as const, timestampMs: nowMs, scheduledMs: slotMs, finishedMs: nowMs };
      await outcomes.crash({ ...row, durationMs, error: describeFailure(error) }, written !== null);
      return true;
    } catch (recordError) {
      // Storage still refuses (the usual case on a full disk): the caller logs the failure and tries the run later.
      logger.debug('crashed cron run not recorded', { agent_id: agentId, job_id: jobId, error: String(recordError) });
      return false;
    }
  };

  return async (jobId, slotMs, trigger, rowId, error, retry) => {
    const recorded = await recordCrash(jobId, slotMs, trigger, rowId, error);
    const fields = {
      agent_id: agentId,
      job_id: jobId,
      trigger,
      attempt: retry.attempt,
      retry_in_ms: retry.retryInMs,
    };
    logger.error('cron run crashed', { ...fields, recorded, error: String(error) });
  };
}
