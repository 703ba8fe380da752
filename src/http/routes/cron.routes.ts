// /api/scheduler/cron: jobs (list, create, update, delete, run now), runs and failures, per agent.
import { Elysia } from 'elysia';
import type { SchedulerService } from '../../scheduler';
import { AgentQuery, errors, queryFlag } from '../schemas';
import {
  FailureList,
  JobAnswer,
  JobDeleted,
  JobList,
  JobParams,
  JobPatchBody,
  NewJobBody,
  parseLimit,
  RunList,
  RunNowAnswer,
  RunNowQuery,
  RunsQuery,
  toJobInput,
  toJobWire,
  toRunWire,
} from './scheduler.schema';

type CronApi = Pick<
  SchedulerService,
  'jobs' | 'createJob' | 'updateJob' | 'deleteJob' | 'runJob' | 'runJobAndWait' | 'runs' | 'failures'
>;

export function cronRoutes(scheduler: CronApi) {
  return new Elysia({ prefix: '/api/scheduler/cron', detail: { tags: ['scheduler'] } })
    .get(
      '/jobs',
      async ({ query }) => {
        const { agentId, jobs } = await scheduler.jobs(query.agent_id);
        return { data: { agent_id: agentId, jobs: jobs.map(toJobWire) } };
      },
      {
        query: AgentQuery,
        response: { 200: JobList, ...errors(400, 401, 403, 404, 422, 500) },
        detail: { summary: "An agent's cron jobs, oldest first" },
      },
    )
    .post(
      '/jobs',
      async ({ query, body }) => {
        const input = {
          ...toJobInput(body),
          scheduleType: body.schedule_type,
          schedule: body.schedule,
          prompt: body.prompt,
        };
        const { agentId, job } = await scheduler.createJob(query.agent_id, input);
        return { data: { agent_id: agentId, job: toJobWire(job) } };
      },
      {
        query: AgentQuery,
        body: NewJobBody,
        response: { 200: JobAnswer, ...errors(400, 401, 403, 404, 422, 500) },
        detail: {
          summary: 'Create a cron job',
          description:
            'A bad schedule, a blank prompt or an unknown zone answers 422 naming `schedule`, `prompt` or `timezone`. A past `at` runs once at once.',
        },
      },
    )
    .put(
      '/jobs/:job_id',
      async ({ params, query, body }) => {
        const { agentId, job } = await scheduler.updateJob(query.agent_id, params.job_id, toJobInput(body ?? {}));
        return { data: { agent_id: agentId, job: toJobWire(job) } };
      },
      {
        params: JobParams,
        query: AgentQuery,
        body: JobPatchBody,
        response: { 200: JobAnswer, ...errors(400, 401, 403, 404, 422, 500) },
        detail: {
          summary: 'Change a cron job',
          description:
            'Blank name or prompt keep the old value. A new schedule, type or zone is validated and re-anchored now; disabling clears the next run; enabling computes it and clears the failure streak.',
        },
      },
    )
    .delete(
      '/jobs/:job_id',
      async ({ params, query }) => {
        const { agentId } = await scheduler.deleteJob(query.agent_id, params.job_id);
        return { data: { agent_id: agentId, deleted: true, job_id: params.job_id } };
      },
      {
        params: JobParams,
        query: AgentQuery,
        response: { 200: JobDeleted, ...errors(400, 401, 403, 404, 422, 500) },
        detail: { summary: 'Delete a cron job (its run rows stay)' },
      },
    )
    .post(
      '/jobs/:job_id/run',
      async ({ params, query }) => {
        if (!queryFlag(query.wait)) {
          const { agentId, job, runId } = await scheduler.runJob(query.agent_id, params.job_id);
          return { data: { agent_id: agentId, job: toJobWire(job), run: { id: runId, status: 'queued' } } };
        }
        const { agentId, job, runId, run } = await scheduler.runJobAndWait(query.agent_id, params.job_id);
        return {
          data: {
            agent_id: agentId,
            job: toJobWire(job),
            run: run ? toRunWire(run) : { id: runId, status: 'cancelled' },
          },
        };
      },
      {
        params: JobParams,
        query: RunNowQuery,
        response: { 200: RunNowAnswer, ...errors(400, 401, 403, 404, 422, 500) },
        detail: {
          summary: 'Run a cron job now',
          description:
            'Queues a manual run (also of a disabled job) and answers at once with the job and the new run id (`run.status` `queued`); while a manual run of the job waits to start, another request joins it (the same run id). With `wait=true` it answers when the run has finished, with its row (`ok` or `error`). Either way the answer is 200; the row says how the run went.',
        },
      },
    )
    .get(
      '/runs',
      async ({ query }) => {
        const { agentId, runs } = await scheduler.runs(query.agent_id, parseLimit(query.limit));
        return { data: { agent_id: agentId, runs: runs.map(toRunWire) } };
      },
      {
        query: RunsQuery,
        response: { 200: RunList, ...errors(400, 401, 403, 404, 422, 500) },
        detail: { summary: 'Cron run rows of every status, newest first (running, ok, error, interrupted, missed)' },
      },
    )
    .get(
      '/failures',
      async ({ query }) => {
        const { agentId, failures } = await scheduler.failures(query.agent_id, parseLimit(query.limit));
        return { data: { agent_id: agentId, failures: failures.map(toRunWire) } };
      },
      {
        query: RunsQuery,
        response: { 200: FailureList, ...errors(400, 401, 403, 404, 422, 500) },
        detail: { summary: 'Failed cron runs, newest first (the newest cron.failure_retention are kept)' },
      },
    );
}
