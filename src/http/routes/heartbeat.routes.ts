// /api/scheduler/heartbeat: the agent's heartbeat config, its run rows, and a tick on demand.
import { Elysia } from 'elysia';
import type { SchedulerService } from '../../scheduler';
import { AgentQuery, errors } from '../schemas';
import {
  HeartbeatAnswer,
  HeartbeatBody,
  HeartbeatRunAnswer,
  HeartbeatRunList,
  parseLimit,
  RunsQuery,
  toHeartbeatRunWire,
} from './scheduler.schema';

type HeartbeatApi = Pick<SchedulerService, 'heartbeatConfig' | 'updateHeartbeat' | 'heartbeatRuns' | 'tickHeartbeat'>;

export function heartbeatRoutes(scheduler: HeartbeatApi) {
  return new Elysia({ prefix: '/api/scheduler/heartbeat', detail: { tags: ['scheduler'] } })
    .get(
      '',
      async ({ query }) => {
        const { agentId, config } = await scheduler.heartbeatConfig(query.agent_id);
        return { data: { agent_id: agentId, config } };
      },
      {
        query: AgentQuery,
        response: { 200: HeartbeatAnswer, ...errors(400, 401, 403, 404, 422, 500) },
        detail: { summary: "An agent's effective heartbeat config" },
      },
    )
    .put(
      '',
      async ({ query, body }) => {
        const patch = {
          enabled: body.enabled,
          intervalSeconds: body.interval_seconds,
          timezone: body.timezone,
          activeStartHour: body.active_start_hour,
          activeEndHour: body.active_end_hour,
          sessionId: body.session_id,
        };
        const { agentId, config } = await scheduler.updateHeartbeat(query.agent_id, patch);
        return { data: { agent_id: agentId, config } };
      },
      {
        query: AgentQuery,
        body: HeartbeatBody,
        response: { 200: HeartbeatAnswer, ...errors(400, 401, 403, 404, 422, 500) },
        detail: {
          summary: "Change an agent's heartbeat",
          description:
            'Only the keys given change (stored in the agent config as differences from the global config); the heartbeat follows at once.',
        },
      },
    )
    .get(
      '/runs',
      async ({ query }) => {
        const { agentId, runs } = await scheduler.heartbeatRuns(query.agent_id, parseLimit(query.limit));
        return { data: { agent_id: agentId, runs: runs.map(toHeartbeatRunWire) } };
      },
      {
        query: RunsQuery,
        response: { 200: HeartbeatRunList, ...errors(400, 401, 403, 404, 422, 500) },
        detail: { summary: 'Heartbeat rows, newest first' },
      },
    )
    .post(
      '/run',
      async ({ query }) => {
        const { agentId, run } = await scheduler.tickHeartbeat(query.agent_id);
        return { data: { agent_id: agentId, run: toHeartbeatRunWire(run) } };
      },
      {
        query: AgentQuery,
        response: { 200: HeartbeatRunAnswer, ...errors(400, 401, 403, 404, 422, 500) },
        detail: {
          summary: 'Run one heartbeat now (not in the original API)',
          description:
            'Makes the same checks as a scheduled tick (enabled, active window, checklist, busy session) and answers with the row it recorded.',
        },
      },
    );
}
