// /api/scheduler/heartbeat: the agent's heartbeat config, its run rows, and a tick on demand.
import { Elysia, t } from 'elysia';
import type { AgentDirectory, AgentHandle } from '../../agents';
import type { RuntimeConfigStore } from '../../config/runtime-config';
import type { SchedulerManager } from '../../scheduler/scheduler-manager';
import { checkTimeZone } from '../../scheduler/schedules';
import { validationError } from '../../shared/app-error';
import { AgentIdQuery, errors, ok } from '../schemas';
import { HeartbeatRunWire, LimitQuery, runsLimit, schedulerAgent, toHeartbeatRunWire } from '../scheduler-wire';

const HEARTBEAT_SESSION_PATTERN = /^[A-Za-z0-9_:.-]{1,128}$/;

const HeartbeatConfig = t.Object({
  enabled: t.Boolean(),
  interval_seconds: t.Integer(),
  timezone: t.String(),
  active_start_hour: t.Integer(),
  active_end_hour: t.Integer(),
  session_id: t.String(),
});

const configBody = (agent: AgentHandle<unknown>) => {
  const heartbeat = agent.config().heartbeat;
  return { data: { agent_id: agent.id, config: heartbeat } };
};

export function heartbeatRoutes(agents: AgentDirectory, configStore: RuntimeConfigStore, scheduler: SchedulerManager) {
  return new Elysia({ prefix: '/api/scheduler/heartbeat', detail: { tags: ['scheduler'] } })
    .get('', ({ query }) => configBody(schedulerAgent(agents, query.agent_id)), {
      query: t.Object({ agent_id: AgentIdQuery }),
      response: { 200: ok(t.Object({ agent_id: t.String(), config: HeartbeatConfig })), ...errors(400, 401, 403, 404, 422, 500) },
      detail: { summary: "An agent's effective heartbeat config" },
    })
    .put(
      '',
      ({ query, body }) => {
        const agent = schedulerAgent(agents, query.agent_id);
        const patch: Record<string, unknown> = {};
        if (body.enabled !== undefined) patch.enabled = body.enabled;
        if (body.interval_seconds !== undefined) patch.interval_seconds = body.interval_seconds;
        if (body.active_start_hour !== undefined) patch.active_start_hour = body.active_start_hour;
        if (body.active_end_hour !== undefined) patch.active_end_hour = body.active_end_hour;
        const timezone = body.timezone?.trim();
        if (timezone) patch.timezone = checkTimeZone(timezone);
        const sessionId = body.session_id?.trim();
        if (sessionId) {
          if (!HEARTBEAT_SESSION_PATTERN.test(sessionId)) throw validationError('session_id', 'session_id must match [A-Za-z0-9_:.-]{1,128}');
          patch.session_id = sessionId;
        }
        // The config store notifies the scheduler, which re-arms this agent's heartbeat at once.
        configStore.update(agent.root, { heartbeat: patch }, '');
        return configBody(agent);
      },
      {
        query: t.Object({ agent_id: AgentIdQuery }),
        body: t.Object({
          enabled: t.Optional(t.Boolean()),
          interval_seconds: t.Optional(t.Integer({ minimum: 30, maximum: 86_400 })),
          timezone: t.Optional(t.String({ maxLength: 64, description: 'IANA zone; blank keeps the current one' })),
          active_start_hour: t.Optional(t.Integer({ minimum: 0, maximum: 23 })),
          active_end_hour: t.Optional(t.Integer({ minimum: 0, maximum: 23 })),
          session_id: t.Optional(t.String({ maxLength: 128, description: 'Blank keeps the current one' })),
        }),
        response: { 200: ok(t.Object({ agent_id: t.String(), config: HeartbeatConfig })), ...errors(400, 401, 403, 404, 422, 500) },
        detail: {
          summary: "Change an agent's heartbeat",
          description: 'Only the keys given change (stored in the agent config as differences from the global config); the heartbeat follows at once.',
        },
      },
    )
    .get(
      '/runs',
      ({ query }) => {
        const agent = schedulerAgent(agents, query.agent_id);
        return { data: { agent_id: agent.id, runs: scheduler.heartbeat(agent.id).runs(runsLimit(agent, query.limit)).map(toHeartbeatRunWire) } };
      },
      {
        query: t.Object({ agent_id: AgentIdQuery, limit: LimitQuery }),
        response: { 200: ok(t.Object({ agent_id: t.String(), runs: t.Array(HeartbeatRunWire) })), ...errors(400, 401, 403, 404, 422, 500) },
        detail: { summary: 'Heartbeat rows, newest first' },
      },
    )
    .post(
      '/run',
      async ({ query }) => {
        const agent = schedulerAgent(agents, query.agent_id);
        const run = await scheduler.heartbeat(agent.id).tickNow();
        return { data: { agent_id: agent.id, run: toHeartbeatRunWire(run) } };
      },
      {
        query: t.Object({ agent_id: AgentIdQuery }),
        response: { 200: ok(t.Object({ agent_id: t.String(), run: HeartbeatRunWire })), ...errors(400, 401, 403, 404, 422, 500) },
        detail: {
          summary: 'Run one heartbeat now (not in the original API)',
          description: 'Makes the same checks as a scheduled tick (enabled, active window, checklist, busy session) and answers with the row it recorded.',
        },
      },
    );
}
