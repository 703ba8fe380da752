// /api/agents: list, create, delete.
import { Elysia } from 'elysia';
import type { AgentsService } from '../../agents';
import type { LlmService } from '../../llm';
import { errors } from '../schemas';
import { AgentAnswer, AgentDeleted, AgentList, AgentParams, NewAgentBody, toAgentRow } from './agents.schema';
import { toLlmStatus } from './llm.schema';

export function agentRoutes(
  agents: Pick<AgentsService, 'list' | 'create' | 'delete'>,
  llm: Pick<LlmService, 'statusOf'>,
) {
  return new Elysia({ prefix: '/api/agents', detail: { tags: ['agents'] } })
    .get(
      '',
      async () => ({
        data: (await agents.list()).map((meta) => ({
          ...toAgentRow(meta),
          llm_status: toLlmStatus(llm.statusOf(meta.agentId)),
        })),
      }),
      {
        response: { 200: AgentList, ...errors(401, 500) },
        detail: {
          summary: 'List agents',
          description:
            "Each row carries `llm_status`: whether the agent's model route can run, the route, and each profile's circuit breaker.",
        },
      },
    )
    .post('', async ({ body }) => ({ data: toAgentRow(await agents.create(body.agent_id)) }), {
      body: NewAgentBody,
      response: { 200: AgentAnswer, ...errors(400, 401, 409, 422, 500) },
      detail: { summary: 'Create an agent, seeded from the built-in template' },
    })
    .delete(
      '/:agent_id',
      async ({ params }) => {
        await agents.delete(params.agent_id);
        return { data: { deleted: true, agent_id: params.agent_id.trim() } };
      },
      {
        params: AgentParams,
        response: { 200: AgentDeleted, ...errors(400, 401, 404, 409, 500) },
        detail: { summary: 'Delete an agent and its folder (not `default`)' },
      },
    );
}
