// /api/scheduler/cron: jobs (list, create, update, delete, run now), runs and failures, per agent.
import { Elysia, t } from 'elysia';
import type { AgentDirectory } from '../../agents';
import type { SchedulerManager } from '../../scheduler/scheduler-manager';
import { AgentIdQuery, errors, ok, QueryBoolean, queryFlag } from '../schemas';
import { CronJobWire, CronRunWire, LimitQuery, runsLimit, schedulerAgent, toJobWire, toRunWire } from '../scheduler-wire';

const ScheduleType = t.Union([t.Literal('at'), t.Literal('every'), t.Literal('cron')], {
  description: '`at` (ISO-8601 date-time), `every` (whole seconds ≥ 5, anchored at creation) or `cron` (5 or 6 fields)',
});
const CatchUp = t.Union([t.Literal('skip'), t.Literal('run_once')], {
  description: 'Slots missed while the server was down: `skip` (default) records them as missed; `run_once` also runs once at start',
});
const Timezone = t.Union([t.String({ maxLength: 64 }), t.Null()], { description: "IANA zone for this job; null or blank uses cron.timezone" });
const AgentQuery = t.Object({ agent_id: AgentIdQuery });
const JobParams = t.Object({ job_id: t.String({ minLength: 1, maxLength: 64 }) });

export function cronRoutes(agents: AgentDirectory, scheduler: SchedulerManager) {
  const cronOf = (agentId: string | undefined) => {
    const agent = schedulerAgent(agents, agentId);
    return { agent, cron: scheduler.cron(agent.id) };
  };
  return new Elysia({ prefix: '/api/scheduler/cron', detail: { tags: ['scheduler'] } })
    .get(
      '/jobs',
      ({ query }) => {
        const { agent, cron } = cronOf(query.agent_id);
        return { data: { agent_id: agent.id, jobs: cron.list().map(toJobWire) } };
      },
      {
        query: AgentQuery,
        response: { 200: ok(t.Object({ agent_id: t.String(), jobs: t.Array(CronJobWire) })), ...errors(400, 401, 403, 404, 422, 500) },
        detail: { summary: "An agent's cron jobs, oldest first" },
      },
    )
    .post(
      '/jobs',
      ({ query, body }) => {
        const { agent, cron } = cronOf(query.agent_id);
        return { data: { agent_id: agent.id, job: toJobWire(cron.create(body)) } };
      },
      {
        query: AgentQuery,
        body: t.Object({
          name: t.Optional(t.String({ maxLength: 120 })),
          schedule_type: ScheduleType,
          schedule: t.String({ minLength: 1, maxLength: 120 }),
          prompt: t.String({ minLength: 1, maxLength: 8000 }),
          enabled: t.Optional(t.Boolean()),
          timezone: t.Optional(Timezone),
          catch_up: t.Optional(CatchUp),
        }),
        response: { 200: ok(t.Object({ agent_id: t.String(), job: CronJobWire })), ...errors(400, 401, 403, 404, 422, 500) },
        detail: {
          summary: 'Create a cron job',
          description: 'A bad schedule, a blank prompt or an unknown zone answers 422 naming `schedule`, `prompt` or `timezone`. A past `at` runs once at once.',
        },
      },
    )
    .put(
      '/jobs/:job_id',
      ({ params, query, body }) => {
        const { agent, cron } = cronOf(query.agent_id);
        return { data: { agent_id: agent.id, job: toJobWire(cron.update(params.job_id, body ?? {})) } };
      },
      {
        params: JobParams,
        query: AgentQuery,
        body: t.Optional(
          t.Object({
            name: t.Optional(t.String({ maxLength: 120 })),
            schedule_type: t.Optional(ScheduleType),
            schedule: t.Optional(t.String({ maxLength: 120 })),
            prompt: t.Optional(t.String({ maxLength: 8000 })),
            enabled: t.Optional(t.Boolean()),
            timezone: t.Optional(Timezone),
            catch_up: t.Optional(CatchUp),
          }),
        ),
        response: { 200: ok(t.Object({ agent_id: t.String(), job: CronJobWire })), ...errors(400, 401, 403, 404, 422, 500) },
        detail: {
          summary: 'Change a cron job',
          description: 'Blank name or prompt keep the old value. A new schedule, type or zone is validated and re-anchored now; disabling clears the next run; enabling computes it and clears the failure streak.',
        },
      },
    )
    .delete(
      '/jobs/:job_id',
      ({ params, query }) => {
        const { agent, cron } = cronOf(query.agent_id);
        cron.remove(params.job_id);
        return { data: { agent_id: agent.id, deleted: true, job_id: params.job_id } };
      },
      {
        params: JobParams,
        query: AgentQuery,
        response: { 200: ok(t.Object({ agent_id: t.String(), deleted: t.Boolean(), job_id: t.String() })), ...errors(400, 401, 403, 404, 422, 500) },
        detail: { summary: 'Delete a cron job (its run rows stay)' },
      },
    )
    .post(
      '/jobs/:job_id/run',
      async ({ params, query }) => {
        const { agent, cron } = cronOf(query.agent_id);
        const started = cron.runNow(params.job_id);
        if (!queryFlag(query.wait)) return { data: { agent_id: agent.id, job: toJobWire(started.job), run: started.run } };
        const finished = await started.finished;
        const job = cron.list().find((candidate) => candidate.id === started.job.id) ?? started.job;
        return { data: { agent_id: agent.id, job: toJobWire(job), run: finished ? toRunWire(finished) : { id: started.run.id, status: 'cancelled' } } };
      },
      {
        params: JobParams,
        query: t.Object({ agent_id: AgentIdQuery, wait: QueryBoolean }),
        response: {
          200: ok(t.Object({ agent_id: t.String(), job: CronJobWire, run: t.Union([CronRunWire, t.Object({ id: t.String(), status: t.String() })]) })),
          ...errors(400, 401, 403, 404, 422, 500),
        },
        detail: {
          summary: 'Run a cron job now',
          description:
            'Queues a manual run (also of a disabled job) and answers at once with the job and the new run id (`run.status` `queued`). With `wait=true` it answers when the run has finished, with its row (`ok` or `error`). Either way the answer is 200; the row says how the run went.',
        },
      },
    )
    .get(
      '/runs',
      ({ query }) => {
        const { agent, cron } = cronOf(query.agent_id);
        return { data: { agent_id: agent.id, runs: cron.runs(runsLimit(agent, query.limit)).map(toRunWire) } };
      },
      {
        query: t.Object({ agent_id: AgentIdQuery, limit: LimitQuery }),
        response: { 200: ok(t.Object({ agent_id: t.String(), runs: t.Array(CronRunWire) })), ...errors(400, 401, 403, 404, 422, 500) },
        detail: { summary: 'Cron run rows of every status, newest first (running, ok, error, interrupted, missed)' },
      },
    )
    .get(
      '/failures',
      ({ query }) => {
        const { agent, cron } = cronOf(query.agent_id);
        return { data: { agent_id: agent.id, failures: cron.failures(runsLimit(agent, query.limit)).map(toRunWire) } };
      },
      {
        query: t.Object({ agent_id: AgentIdQuery, limit: LimitQuery }),
        response: { 200: ok(t.Object({ agent_id: t.String(), failures: t.Array(CronRunWire) })), ...errors(400, 401, 403, 404, 422, 500) },
        detail: { summary: 'Failed cron runs, newest first (the newest cron.failure_retention are kept)' },
      },
    );
}
