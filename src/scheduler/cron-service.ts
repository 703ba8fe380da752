// One agent's cron: the timer at the earliest due job, missed-slot catch-up, the run queue, each run's steps.
import { join } from 'node:path';
import type { AgentHandle } from '../agents';
import type { SchedulerPorts } from './scheduler-ports';
import type { ChatService } from '../chat';
import type { SessionsService } from '../sessions';
import { perDatabase } from '../db/per-database';
import { notFound } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { jobChanges, jobSchedule, newJob, type CronJobInput, type CronJobPatch } from './cron-job-editor';
import { createRunOutcomes } from './cron-run-outcomes';
import { recordMissedSlots } from './missed-slots';
import type { PreRunCheck } from './pre-run-check';
import { createRunLog } from './run-log';
import { createRunQueue } from './run-queue';
import { CRON_RULES, cronSessionId, describeFailure, runScheduledTurn } from './scheduled-turn';
import { nextRunAfter } from './schedules';
import { createSqliteSchedulerStore, type CronJob, type CronRun, type RunTrigger } from './scheduler.store';
import { createWakeTimer, type Timers } from './wake-timer';
import { AGENT_STORAGE_FOLDER, CRON_FAILURES_LOG, CRON_RUNS_LOG } from '../shared/agent-storage';

/** A slot due less than this before the service started watching is still run, not counted missed. */
export const MISSED_TOLERANCE_MS = 1000;

export interface CronServiceDeps {
  agent: AgentHandle<SchedulerPorts>;
  chat: ChatService;
  sessions: Pick<SessionsService, 'of'>;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  newId: () => string;
  preRunCheck: PreRunCheck;
}

export interface RunNowResult {
  job: CronJob;
  run: { id: string; status: 'queued' };
  /** Settles with the finished row (or null when the job vanished before it started). */
  finished: Promise<CronRun | null>;
}

export interface CronService {
  list(): CronJob[];
  create(input: CronJobInput): CronJob;
  update(jobId: string, patch: CronJobPatch): CronJob;
  remove(jobId: string): void;
  /** Queues a run now (even for a disabled job) and answers at once. 404 for an unknown id. */
  runNow(jobId: string): RunNowResult;
  runs(limit: number): CronRun[];
  failures(limit: number): CronRun[];
  /** Re-reads `cron.*` config: starts or stops the timer, resizes the queue. */
  reconfigure(): void;
  /** Disarms the timer and drops queued runs; runs in progress finish. */
  stop(): void;
  /** Resolves when no run is executing. */
  idle(): Promise<void>;
}

export function createCronService(deps: CronServiceDeps): CronService {
  const { agent, clock, logger } = deps;
  // Asked on every use: the agent database may have been closed while idle and opened again.
  const storeOf = perDatabase(createSqliteSchedulerStore);
  const store = () => storeOf(agent.storage.db);
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
  const queue = createRunQueue(
    agent.config().cron.max_concurrent_runs,
    (error) => logger.error('cron run crashed', { agent_id: agent.id, error: String(error) }),
    () => arm(),
  );
  let watchingSinceMs: number | null = null;
  let stopped = false;
  const timer = createWakeTimer(clock, deps.timers, () => wake());

  const arm = () => {
    if (stopped || watchingSinceMs === null) return timer.disarm();
    const upcoming = store().upcoming(queue.active + queue.waiting + 1).find((entry) => !queue.has(entry.id));
    if (upcoming) timer.arm(upcoming.nextRunMs);
    else timer.disarm();
  };

  const wake = () => {
    if (stopped || watchingSinceMs === null) return;
    const config = agent.config().cron;
    if (!config.enabled) return reconfigure();
    const now = clock.nowMs();
    for (const entry of store().upcoming(10_000)) {
      if (entry.nextRunMs > now) break;
      if (queue.has(entry.id)) continue;
      const job = store().getJob(entry.id)!;
      if (job.nextRunMs! < watchingSinceMs - MISSED_TOLERANCE_MS) {
        const slot = recordMissedSlots({ store: store(), job, config, nowMs: now, newId: deps.newId, onInvalid: (error) => failJobSchedule(job, error) });
        if (slot !== null) enqueue(job.id, slot, 'scheduled', deps.newId());
      } else {
        enqueue(job.id, job.nextRunMs!, 'scheduled', deps.newId());
      }
    }
    arm();
  };

  /** A stored schedule that no longer parses (hand-edited database) disables its job with the reason. */
  const failJobSchedule = (job: CronJob, error: unknown) => {
    logger.warn('cron job schedule is invalid; job disabled', { agent_id: agent.id, job_id: job.id, error: String(error) });
    store().updateJob(job.id, { enabled: false, nextRunMs: null, lastError: `Invalid schedule: ${describeFailure(error)}`, scheduleRev: job.scheduleRev + 1 });
  };

  const settle = new Map<string, (row: CronRun | null) => void>();
  const enqueue = (jobId: string, slotMs: number | null, trigger: RunTrigger, rowId: string) => {
    queue.push({
      jobId,
      execute: async () => {
        let row: CronRun | null = null;
        try {
          row = await execute(jobId, slotMs, trigger, rowId);
        } catch (error) {
          // A run whose agent was deleted under it has no row left to complete.
          if (!agent.signal.aborted) throw error;
        } finally {
          settle.get(rowId)?.(row);
          settle.delete(rowId);
        }
      },
    });
  };

  const execute = async (jobId: string, slotMs: number | null, trigger: RunTrigger, rowId: string): Promise<CronRun | null> => {
    using _lease = agent.lease();
    const job = store().getJob(jobId);
    const config = agent.config().cron;
    if (!job || stopped) return null;
    if (trigger === 'scheduled' && (!job.enabled || !config.enabled)) return null;
    const startedMs = clock.nowMs();
    const sessionId = cronSessionId(job.id);
    const base: CronRun = {
      id: rowId,
      jobId: job.id,
      name: job.name,
      status: 'running',
      trigger,
      timestampMs: startedMs,
      scheduledMs: slotMs,
      startedMs,
      finishedMs: null,
      scheduleLagMs: slotMs === null ? null : Math.max(0, startedMs - slotMs),
      durationMs: null,
      runId: null,
      sessionId,
      responsePreview: null,
      error: null,
      failureCount: null,
      nextRunMs: null,
      disabled: null,
      details: {},
    };
    // Scheduled runs move the job to its following slot before the model is called.
    const advance: Partial<CronJob> = { lastRunMs: startedMs };
    if (trigger === 'scheduled') {
      try {
        advance.nextRunMs = job.scheduleType === 'at' ? null : nextRunAfter(jobSchedule(job, config.timezone), startedMs, job.anchorMs);
      } catch (error) {
        failJobSchedule(job, error);
        return null;
      }
    }
    const decision = await deps.preRunCheck({ agent, trigger: 'cron', jobId: job.id });
    if (!decision.allowed) {
      const skipped = { ...base, status: decision.status, finishedMs: startedMs, durationMs: 0, details: { reason: decision.reason } };
      store().transaction(() => {
        store().insertRun(skipped);
        store().updateJob(job.id, advance);
      });
      return skipped;
    }
    store().transaction(() => {
      store().insertRun(base);
      store().updateJob(job.id, advance);
    });
    try {
      const result = await runScheduledTurn(deps.chat, deps.sessions, { agent, sessionId, title: job.name, prompt: job.prompt, rules: CRON_RULES, trigger: 'cron' });
      return outcomes.succeed(job, base, result.runId, result.content);
    } catch (error) {
      return outcomes.fail(job, base, error);
    }
  };

  const reconfigure = () => {
    if (stopped) return;
    const config = agent.config().cron;
    queue.setLimit(config.max_concurrent_runs);
    if (config.enabled && watchingSinceMs === null) watchingSinceMs = clock.nowMs();
    if (!config.enabled) watchingSinceMs = null;
    if (watchingSinceMs !== null) wake();
    else timer.disarm();
  };

  return {
    list: () => store().listJobs(),
    create(input) {
      const job = newJob(input, deps.newId(), agent.config().cron.timezone, clock.nowMs());
      store().insertJob(job);
      arm();
      return job;
    },
    update(jobId, patch) {
      const changes = jobChanges(store().getJob(jobId), patch, agent.config().cron.timezone, clock.nowMs());
      const job = store().updateJob(jobId, changes)!;
      wake();
      return job;
    },
    remove(jobId) {
      if (!store().deleteJob(jobId)) throw notFound('Cron job not found');
      arm();
    },
    runNow(jobId) {
      const job = store().getJob(jobId);
      if (!job) throw notFound('Cron job not found');
      const rowId = deps.newId();
      const finished = new Promise<CronRun | null>((resolve) => settle.set(rowId, resolve));
      enqueue(job.id, null, 'manual', rowId);
      return { job, run: { id: rowId, status: 'queued' }, finished };
    },
    runs: (limit) => store().listRuns(limit),
    failures: (limit) => store().listRuns(limit, ['error']),
    reconfigure,
    stop() {
      stopped = true;
      timer.disarm();
      queue.clear();
      for (const resolve of settle.values()) resolve(null);
      settle.clear();
    },
    idle: () => queue.idle(),
  };
}
