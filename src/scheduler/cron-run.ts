// One cron run's steps: the job re-read, its claim, the row written, the job moved on, the turn, and its outcome.
import { join } from 'node:path';
import type { AgentHandle } from '../agents';
import type { ChatService } from '../chat';
import { cronJobLock, type Coordinator } from '../coordination';
import type { SessionsService } from '../sessions';
import { AGENT_STORAGE_FOLDER, CRON_FAILURES_LOG, CRON_RUNS_LOG } from '../shared/agent-storage';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { createActiveRuns } from './active-runs';
import { createCronCrashRecorder, type CronCrashRecorder } from './cron-crash-recorder';
import { jobSchedule } from './cron-job-editor';
import { createRunOutcomes } from './cron-run-outcomes';
import type { PreRunCheck } from './pre-run-check';
import { createRunLog } from './run-log';
import { runRow } from './run-row';
import {
  cancelledTurn,
  CRON_RULES,
  cronSessionId,
  describeFailure,
  isStoppedTurn,
  runScheduledTurn,
} from './scheduled-turn';
import { nextRunAfter } from './schedules';
import type { CronJob, CronRun, RunTrigger, SchedulerStore } from './scheduler.port';
import type { SchedulerStorage } from './scheduler-storage';

export interface CronRunDeps {
  agent: AgentHandle<SchedulerStorage>;
  chat: Pick<ChatService, 'runOnce'>;
  sessions: Pick<SessionsService, 'of'>;
  coordinator: Coordinator;
  clock: Clock;
  logger: Logger;
  preRunCheck: PreRunCheck;
  /** Whether the agent's cron has been stopped (its queued runs are dropped). */
  isStopped(): boolean;
  /** Whether the agent is still the one this runner was opened for (see `HeartbeatServiceDeps.isCurrent`). */
  isCurrent(): boolean;
  /** Told when a scheduled run found its job claimed by another holder (a run in progress elsewhere). */
  onClaimedElsewhere?(jobId: string): void;
}

export interface CronRunner {
  /**
   * Runs job `jobId` (the slot it was due for, null for a manual run) under row id `rowId`. Returns the
   * finished row, or null when nothing ran: the job is gone, disabled (scheduled runs), claimed
   * elsewhere, or its schedule no longer parses.
   */
  execute(jobId: string, slotMs: number | null, trigger: RunTrigger, rowId: string): Promise<CronRun | null>;
  /** After `execute` threw (its claim or a write failed): see CronCrashRecorder. Never throws. */
  crashed: CronCrashRecorder;
  /** A stored schedule that no longer parses (hand-edited database) disables its job with the reason. */
  failJobSchedule(job: CronJob, error: unknown): Promise<void>;
  /**
   * The server stops (call once `isStopped` is true): the rows of the runs this runner has in progress end
   * `interrupted` as the start-up sweep writes them, after outcomes being written meanwhile (those keep their end);
   * the runs' own ends then change them no more. Returns how many rows changed; throws what the store throws.
   */
  interruptActive(): Promise<number>;
}

/** Whether slot `slotMs` of an enabled job is still to run: its next run has not moved past it. */
function isStillDue(job: CronJob, slotMs: number | null): boolean {
  if (!job.enabled || job.nextRunMs === null) return false;
  return slotMs === null || job.nextRunMs <= slotMs;
}

export function createCronRunner(deps: CronRunDeps): CronRunner {
  const { agent, clock, logger } = deps;
  // Asked on every use: the agent's storage may have been closed while idle and opened again.
  const store = (): SchedulerStore => agent.storage.scheduler;
  const storage = join(agent.root, AGENT_STORAGE_FOLDER);
  const outcomes = createRunOutcomes({
    store,
    clock,
    logger,
    agentId: agent.id,
    config: () => agent.config().cron,
    runLog: createRunLog(join(storage, CRON_RUNS_LOG), logger),
    failureLog: createRunLog(join(storage, CRON_FAILURES_LOG), logger),
  });

  const active = createActiveRuns(store, clock);

  const failJobSchedule = async (job: CronJob, error: unknown) => {
    logger.warn('cron job schedule is invalid; job disabled', {
      agent_id: agent.id,
      job_id: job.id,
      error: String(error),
    });
    await store().updateJob(job.id, {
      enabled: false,
      nextRunMs: null,
      lastError: `Invalid schedule: ${describeFailure(error)}`,
      scheduleRev: job.scheduleRev + 1,
    });
  };

  const runClaimed = async (
    job: CronJob,
    slotMs: number | null,
    trigger: RunTrigger,
    rowId: string,
  ): Promise<CronRun | null> => {
    const config = agent.config().cron;
    const startedMs = clock.nowMs();
    const sessionId = cronSessionId(job.id);
    const base = runRow({
      id: rowId,
      jobId: job.id,
      name: job.name,
      status: 'running',
      trigger,
      timestampMs: startedMs,
      scheduledMs: slotMs,
      startedMs,
      scheduleLagMs: slotMs === null ? null : Math.max(0, startedMs - slotMs),
      sessionId,
    });
    // Scheduled runs move the job to its following slot before the model is called, unless its schedule was edited
    // since it was read here (the edit set the next run).
    const advance: Partial<CronJob> = { lastRunMs: startedMs };
    let next: { scheduleRev: number; changes: Partial<CronJob> } | undefined;
    if (trigger === 'scheduled') {
      try {
        const nextRunMs =
          job.scheduleType === 'at' ? null : nextRunAfter(jobSchedule(job, config.timezone), startedMs, job.anchorMs);
        next = { scheduleRev: job.scheduleRev, changes: { nextRunMs } };
      } catch (error) {
        await failJobSchedule(job, error);
        return null;
      }
    }
    const decision = await deps.preRunCheck({ agent, trigger: 'cron', jobId: job.id });
    // The stop began while the check ran: no new run starts.
    if (deps.isStopped()) return null;
    if (!decision.allowed) {
      const skipped = {
        ...base,
        status: decision.status,
        finishedMs: startedMs,
        durationMs: 0,
        details: { reason: decision.reason },
      };
      await store().addRuns([skipped], job.id, advance, next);
      return skipped;
    }
    await store().addRuns([base], job.id, advance, next);
    active.begin(base.id, job.id);
    try {
      const result = await runScheduledTurn(deps.chat, deps.sessions, {
        agent,
        sessionId,
        title: job.name,
        prompt: job.prompt,
        rules: CRON_RULES,
        trigger: 'cron',
        async onApprovalWait(waiting, runId) {
          await store().markRun(base.id, waiting ? 'waiting_approval' : 'running', runId);
        },
      });
      return await active.settle(() => outcomes.succeed(job, base, result.runId, result.content));
    } catch (error) {
      // The server stopped under the turn: the run was interrupted, not failed (its row may say so already).
      if (deps.isStopped() && isStoppedTurn(error)) {
        if (active.has(base.id)) await active.interrupt(base.id);
        return { ...base, status: 'interrupted' };
      }
      const cancelled = cancelledTurn(error);
      if (cancelled) return await active.settle(() => outcomes.cancel(job, base, cancelled.runId));
      return await active.settle(() => outcomes.fail(job, base, error));
    } finally {
      active.end(base.id);
    }
  };

  return {
    failJobSchedule,
    interruptActive: () => active.interrupt(),
    crashed: createCronCrashRecorder({ store, outcomes, clock, logger, agentId: agent.id }),
    async execute(jobId, slotMs, trigger, rowId) {
      using _lease = agent.lease();
      const job = await store().getJob(jobId);
      const config = agent.config().cron;
      if (!job || deps.isStopped() || !deps.isCurrent()) return null;
      if (trigger === 'scheduled' && (!job.enabled || !config.enabled)) return null;
      // One run of a job at a time, here and on any other holder of the coordinator.
      const claim = await deps.coordinator.tryLock(cronJobLock(agent.id, job.id));
      if (!claim) {
        if (trigger === 'scheduled') deps.onClaimedElsewhere?.(job.id);
        return null;
      }
      try {
        // Read again under the claim: another replica may have run this slot meanwhile (and moved the job on).
        const current = await store().getJob(jobId);
        if (!current || deps.isStopped() || !deps.isCurrent()) return null;
        if (trigger === 'scheduled' && !isStillDue(current, slotMs)) return null;
        return await runClaimed(current, slotMs, trigger, rowId);
      } finally {
        await claim.release();
      }
    },
  };
}
