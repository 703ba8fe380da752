// SchedulerService: cron jobs and the heartbeat at the edge (behind `scheduler.api_enabled`), over the per-agent services.
import type { AgentDirectory } from '../agents';
import type { RuntimeConfigStore } from '../config';
import { AppError } from '../shared/app-error';
import type { CronJobInput, CronJobPatch } from './cron-job-editor';
import { heartbeatConfigPatch, type HeartbeatConfig, type HeartbeatPatch } from './heartbeat-settings';
import { runsLimit } from './runs-limit';
import type { SchedulerManager } from './scheduler-manager';
import type { CronJob, CronRun, HeartbeatRun } from './scheduler.port';

/** Every answer names the agent it is about (the resolved id). */
type ForAgent<T> = Promise<{ agentId: string } & T>;

export interface SchedulerService extends SchedulerManager {
  /** Oldest first. Every method answers 403 `scheduler_api_disabled` when the agent's `scheduler.api_enabled` is off. */
  jobs(agentId: string | undefined): ForAgent<{ jobs: CronJob[] }>;
  /** 422 naming `schedule`, `prompt` or `timezone` for a bad field. A past `at` runs once at once. */
  createJob(agentId: string | undefined, input: CronJobInput): ForAgent<{ job: CronJob }>;
  updateJob(agentId: string | undefined, jobId: string, patch: CronJobPatch): ForAgent<{ job: CronJob }>;
  /** 404 for an unknown job; its run rows stay. */
  deleteJob(agentId: string | undefined, jobId: string): ForAgent<object>;
  /** Queues a manual run (also of a disabled job) and answers at once with its row id. */
  runJob(agentId: string | undefined, jobId: string): ForAgent<{ job: CronJob; runId: string }>;
  /** Runs the job now and answers when it finished: its row, null when it did not run; the job as it is then. */
  runJobAndWait(
    agentId: string | undefined,
    jobId: string,
  ): ForAgent<{ job: CronJob; runId: string; run: CronRun | null }>;
  /** Newest first; `limit` (1..5000) defaults to the agent's `scheduler.runs_query_default_limit`. */
  runs(agentId: string | undefined, limit?: number): ForAgent<{ runs: CronRun[] }>;
  failures(agentId: string | undefined, limit?: number): ForAgent<{ failures: CronRun[] }>;
  heartbeatConfig(agentId: string | undefined): ForAgent<{ config: HeartbeatConfig }>;
  /** Stores the changed keys in the agent config; the heartbeat follows at once. */
  updateHeartbeat(agentId: string | undefined, patch: HeartbeatPatch): ForAgent<{ config: HeartbeatConfig }>;
  heartbeatRuns(agentId: string | undefined, limit?: number): ForAgent<{ runs: HeartbeatRun[] }>;
  /** One heartbeat now, with every check a scheduled tick makes; its row. */
  tickHeartbeat(agentId: string | undefined): ForAgent<{ run: HeartbeatRun }>;
}

export interface SchedulerServiceDeps {
  agents: AgentDirectory;
  manager: SchedulerManager;
  configStore: Pick<RuntimeConfigStore, 'update'>;
}

export function createSchedulerService({ agents, manager, configStore }: SchedulerServiceDeps): SchedulerService {
  /** The agent, once its `scheduler.api_enabled` allows the scheduler API (else 403 `scheduler_api_disabled`). */
  const schedulerAgent = (agentId: string | undefined) => {
    const agent = agents.get(agentId);
    if (!agent.config().scheduler.api_enabled)
      throw new AppError('scheduler_api_disabled', 'Scheduler API is disabled');
    return agent;
  };
  const cronOf = (agentId: string | undefined) => {
    const agent = schedulerAgent(agentId);
    return { agent, cron: manager.cron(agent.id) };
  };

  return {
    ...manager,
    async jobs(agentId) {
      const { agent, cron } = cronOf(agentId);
      return { agentId: agent.id, jobs: await cron.list() };
    },
    async createJob(agentId, input) {
      const { agent, cron } = cronOf(agentId);
      return { agentId: agent.id, job: await cron.create(input) };
    },
    async updateJob(agentId, jobId, patch) {
      const { agent, cron } = cronOf(agentId);
      return { agentId: agent.id, job: await cron.update(jobId, patch) };
    },
    async deleteJob(agentId, jobId) {
      const { agent, cron } = cronOf(agentId);
      await cron.remove(jobId);
      return { agentId: agent.id };
    },
    async runJob(agentId, jobId) {
      const { agent, cron } = cronOf(agentId);
      const started = await cron.runNow(jobId);
      return { agentId: agent.id, job: started.job, runId: started.run.id };
    },
    async runJobAndWait(agentId, jobId) {
      const { agent, cron } = cronOf(agentId);
      const started = await cron.runNow(jobId);
      const run = await started.finished;
      const job = (await cron.list()).find((candidate) => candidate.id === started.job.id) ?? started.job;
      return { agentId: agent.id, job, runId: started.run.id, run };
    },
    async runs(agentId, limit) {
      const { agent, cron } = cronOf(agentId);
      return { agentId: agent.id, runs: await cron.runs(runsLimit(agent.config(), limit)) };
    },
    async failures(agentId, limit) {
      const { agent, cron } = cronOf(agentId);
      return { agentId: agent.id, failures: await cron.failures(runsLimit(agent.config(), limit)) };
    },
    async heartbeatConfig(agentId) {
      const agent = schedulerAgent(agentId);
      return { agentId: agent.id, config: agent.config().heartbeat };
    },
    async updateHeartbeat(agentId, patch) {
      const agent = schedulerAgent(agentId);
      // The config store notifies the scheduler, which re-arms this agent's heartbeat at once.
      configStore.update(agent.root, { heartbeat: heartbeatConfigPatch(patch) }, '');
      return { agentId: agent.id, config: agent.config().heartbeat };
    },
    async heartbeatRuns(agentId, limit) {
      const agent = schedulerAgent(agentId);
      return { agentId: agent.id, runs: await manager.heartbeat(agent.id).runs(runsLimit(agent.config(), limit)) };
    },
    async tickHeartbeat(agentId) {
      const agent = schedulerAgent(agentId);
      return { agentId: agent.id, run: await manager.heartbeat(agent.id).tickNow() };
    },
  };
}
