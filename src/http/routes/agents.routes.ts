// /api/agents: list, create, delete.
import { Elysia, t } from 'elysia';
import type { AgentsService } from '../../agents';
import { errors, ok } from '../schemas';
import { AgentId, AgentRow, toAgentRow } from './agents.schema';

export function agentRoutes(agents: Pick<AgentsService, 'list' | 'create' | 'delete'>) {
  return new Elysia({ prefix: '/api/agents', detail: { tags: ['agents'] } })
    .get('', async () => ({ data: (await agents.list()).map(toAgentRow) }), {
      response: { 200: ok(t.Array(AgentRow)), ...errors(401, 500) },
      detail: { summary: 'List agents' },
    })
    .post('', async ({ body }) => ({ data: toAgentRow(await agents.create(body.agent_id)) }), {
      body: t.Object({ agent_id: AgentId }),
      response: { 200: ok(AgentRow), ...errors(400, 401, 409, 422, 500) },
      detail: { summary: 'Create an agent, seeded from the built-in template' },
    })
    .delete(
      '/:agent_id',
      ({ params }) => {
        agents.delete(params.agent_id);
        return { data: { deleted: true, agent_id: params.agent_id.trim() } };
      },
      {
        params: t.Object({ agent_id: AgentId }),
        response: { 200: ok(t.Object({ deleted: t.Boolean(), agent_id: t.String() })), ...errors(400, 401, 404, 409, 500) },
        detail: { summary: 'Delete an agent and its folder (not `default`)' },
      },
    );
}
