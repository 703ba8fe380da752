// One agent's cron: the timer at the earliest due job, missed-slot catch-up, the run queue, and the job API.
import type { AgentHandle } from '../agents';
import type { ChatService } from '../chat';
import { cronJobLock, type Coordinator } from '../coordination';
import type { SessionsService } from '../sessions';
import { notFound } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { createSerialQueue } from '../shared/serial-queue';
import { createCrashBackoff } from '../shared/crash-backoff';
import { jobChanges, newJob, rezonedChanges, type CronJobInput, type CronJobPatch } from './cron-job-editor';
import { createCronRunner } from './cron-run';
import { catchUpMissed } from './missed-slots';
import type { PreRunCheck } from './pre-run-check';
import { createRunQueue } from './run-queue';
import type { CronJob, CronRun, RunTrigger } from './scheduler.port';
import type { SchedulerStorage } from './scheduler-storage';
import { createWakeTimer, type Timers } from './wake-timer';

/** A slot due less than this before the service started watching is still run, not counted missed. */
export const MISSED_TOLERANCE_MS = 1000;
/** A job found claimed by another holder (another replica running it) is looked at again after this long. */
export const CLAIMED_RETRY_MS = 1000;

export interface CronServiceDeps {
  agent: AgentHandle<SchedulerStorage>;
  chat: Pick<ChatService, 'runOnce'>;
  sessions: Pick<SessionsService, 'of'>;
  coordinator: Coordinator;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  newId: () => string;
  preRunCheck: PreRunCheck;
  /** See `CronRunDeps.isCurrent`. */
  isCurrent(): boolean;
}

export interface RunNowResult {
  job: CronJob;
  run: { id: string; status: 'queued' };
  /** Settles with the finished row (or null when the job vanished before it started). */
  finished: Promise<CronRun | null>;
}

export interface CronService {
  list(): Promise<CronJob[]>;
  create(input: CronJobInput): Promise<CronJob>;
  update(jobId: string, patch: CronJobPatch): Promise<CronJob>;
  remove(jobId: string): Promise<void>;
  /** Queues a run now (even for a disabled job) and answers at once. 404 for an unknown id. */
  runNow(jobId: string): Promise<RunNowResult>;
  runs(limit: number): Promise<CronRun[]>;
  failures(limit: number): Promise<CronRun[]>;
  /** Re-reads `cron.*` config: starts or stops the timer, resizes the queue. */
  reconfigure(): Promise<void>;
  /** Disarms the timer and drops queued runs; runs in progress finish. */
  stop(): void;
  /** After `stop`, as the server stops: the runs in progress end `interrupted` (see `CronRunner.interruptActive`). */
  interruptLive(): Promise<number>;
  /** Resolves when no run is executing. */
  idle(): Promise<void>;
}

export function createCronService(deps: CronServiceDeps): CronService {
  const { agent, clock, logger } = deps;
  // Asked on every use: the agent's storage may have been closed while idle and opened again.
  const store = () => agent.storage.scheduler;
  let watchingSinceMs: number | null = null;
  let stopped = false;
  /** The `cron.timezone` the jobs without a zone of their own were scheduled in. */
  let zone = agent.config().cron.timezone;
  // Jobs another holder had claimed, with when to look again: without it a due job would wake this timer in a loop.
  const deferred = new Map<string, number>();
  const defer = (jobId: string, ms = CLAIMED_RETRY_MS) => deferred.set(jobId, clock.nowMs() + ms);
  // Work that failed outright (a full disk, say) waits before it is tried again, or it would be due again at once, in a loop.
  const crashes = createCrashBackoff();
  /** When job `entry` may run here: its next run, or later while it is deferred. */
  const dueAt = (entry: { id: string; nextRunMs: number }) => {
    const until = deferred.get(entry.id);
    if (until !== undefined && until <= clock.nowMs()) deferred.delete(entry.id);
    return Math.max(entry.nextRunMs, deferred.get(entry.id) ?? 0);
  };
  const runner = createCronRunner({ ...deps, isStopped: () => stopped, onClaimedElsewhere: defer });
  // Timer work reads the store across awaits: one pass at a time, so an older pass never re-arms over a newer one.
  const serial = createSerialQueue();
  /** Runs timer work; when it fails, the timer looks again after the backoff (else nothing would run until an edit). */
  const logged = (work: Promise<void>, key = 'timer') =>
    void work.then(
      () => crashes.succeeded(key),
      (error) => {
        const { attempt, retryInMs: retry_in_ms } = crashes.failed(key);
        logger.error('cron timer work failed', { agent_id: agent.id, attempt, retry_in_ms, error: String(error) });
        if (!stopped && watchingSinceMs !== null) timer.arm(clock.nowMs() + retry_in_ms);
      },
    );
  const queue = createRunQueue(
    agent.config().cron.max_concurrent_runs,
    (error) => logger.error('cron run crashed', { agent_id: agent.id, error: String(error) }),
    () => logged(arm(), 'arm'),
  );
  const timer = createWakeTimer(clock, deps.timers, () => logged(wake()));

  const armNow = async () => {
    if (stopped || watchingSinceMs === null) return timer.disarm();
    const entries = await store().upcoming(queue.active + queue.waiting + deferred.size + 1);
    if (stopped || watchingSinceMs === null) return timer.disarm();
    const times = entries.filter((entry) => !queue.has(entry.id)).map(dueAt);
    if (times.length > 0) timer.arm(Math.min(...times));
    else timer.disarm();
  };

  const wakeNow = async () => {
    if (stopped || watchingSinceMs === null) return;
    const config = agent.config().cron;
    if (!config.enabled) return reconfigureNow();
    const now = clock.nowMs();
    for (const entry of await store().upcoming(10_000)) {
      if (entry.nextRunMs > now) break;
      if (queue.has(entry.id) || dueAt(entry) > now) continue;
      const job = await store().getJob(entry.id);
      if (!job || job.nextRunMs === null || stopped || watchingSinceMs === null || queue.has(job.id)) continue;
      if (job.nextRunMs < watchingSinceMs - MISSED_TOLERANCE_MS) {
        const slot = await catchUpMissed({
          store: store(),
          jobId: job.id,
          missedBeforeMs: watchingSinceMs - MISSED_TOLERANCE_MS,
          config: agent.config().cron,
          nowMs: now,
          newId: deps.newId,
          claim: () => deps.coordinator.tryLock(cronJobLock(agent.id, job.id)),
          onClaimedElsewhere: () => defer(job.id),
          onInvalid: (invalid, error) => runner.failJobSchedule(invalid, error),
        });
        if (slot !== null && !queue.has(job.id)) enqueue(job.id, slot, 'scheduled', deps.newId());
      } else {
        enqueue(job.id, job.nextRunMs, 'scheduled', deps.newId());
      }
    }
    await armNow();
  };

  /** Jobs without a zone of their own follow a new `cron.timezone` at once (a job running now keeps its slot). */
  const rezone = async (to: string) => {
    const now = clock.nowMs();
    for (const job of await store().listJobs()) {
      const changes = queue.has(job.id) ? null : rezonedChanges(job, zone, to, now);
      if (changes) await store().updateJob(job.id, changes);
    }
    zone = to;
  };

  const reconfigureNow = async () => {
    if (stopped) return;
    const config = agent.config().cron;
    if (config.timezone !== zone) await rezone(config.timezone);
    queue.setLimit(config.max_concurrent_runs);
    if (config.enabled && watchingSinceMs === null) watchingSinceMs = clock.nowMs();
    if (!config.enabled) watchingSinceMs = null;
    if (watchingSinceMs !== null) await wakeNow();
    else timer.disarm();
  };

  const arm = () => serial.run(armNow);
  const wake = () => serial.run(wakeNow);

  const settle = new Map<string, (row: CronRun | null) => void>();
  /** Each job's manual run that has not started yet: a second "run now" meanwhile joins it. */
  const waitingManual = new Map<string, Omit<RunNowResult, 'job'>>();
  const enqueue = (jobId: string, slotMs: number | null, trigger: RunTrigger, rowId: string) => {
    queue.push({
      jobId,
      execute: async () => {
        if (waitingManual.get(jobId)?.run.id === rowId) waitingManual.delete(jobId);
        let row: CronRun | null = null;
        try {
          row = await runner.execute(jobId, slotMs, trigger, rowId);
          crashes.succeeded(jobId);
        } catch (error) {
          // A run whose agent was deleted under it has no row left to complete.
          if (agent.signal.aborted) return;
          // Failed outright (a full disk, say): the job waits out the backoff, or it would be due again at once, in a loop.
          const retry = crashes.failed(jobId);
          if (trigger === 'scheduled') defer(jobId, retry.retryInMs);
          await runner.crashed(jobId, slotMs, trigger, rowId, error, retry);
        } finally {
          settle.get(rowId)?.(row);
          settle.delete(rowId);
        }
      },
    });
  };

  return {
    list: () => store().listJobs(),
    async create(input) {
      const job = newJob(input, deps.newId(), agent.config().cron.timezone, clock.nowMs());
      await store().insertJob(job);
      await arm();
      return job;
    },
    async update(jobId, patch) {
      const changes = jobChanges(await store().getJob(jobId), patch, agent.config().cron.timezone, clock.nowMs());
      const job = await store().updateJob(jobId, changes);
      if (!job) throw notFound('Cron job not found');
      await wake();
      return job;
    },
    async remove(jobId) {
      if (!(await store().deleteJob(jobId))) throw notFound('Cron job not found');
      deferred.delete(jobId);
      crashes.succeeded(jobId);
      await arm();
    },
    async runNow(jobId) {
      const job = await store().getJob(jobId);
      if (!job) throw notFound('Cron job not found');
      // Every request queued a run of its own (5,000 clicks: 5,000 model turns, one after another).
      const waiting = waitingManual.get(job.id);
      if (waiting) return { job, ...waiting };
      const rowId = deps.newId();
      const finished = new Promise<CronRun | null>((resolve) => settle.set(rowId, resolve));
      waitingManual.set(job.id, { run: { id: rowId, status: 'queued' }, finished });
      enqueue(job.id, null, 'manual', rowId);
      return { job, run: { id: rowId, status: 'queued' }, finished };
    },
    runs: (limit) => store().listRuns(limit),
    failures: (limit) => store().listRuns(limit, ['error']),
    reconfigure: () => serial.run(reconfigureNow),
    stop() {
      stopped = true;
      timer.disarm();
      queue.clear();
      waitingManual.clear();
      for (const resolve of settle.values()) resolve(null);
      settle.clear();
    },
    interruptLive: () => runner.interruptActive(),
    idle: () => queue.idle(),
  };
}
