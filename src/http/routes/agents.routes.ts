// /api/agents: list, create, delete.
import { Elysia, t } from 'elysia';
import type { AgentMeta, AgentRegistry } from '../../agents/agent-registry';
import { errors, ok } from '../schemas';

const AgentRow = t.Object({
  agent_id: t.String(),
  path: t.String(),
  created_at: t.Number(),
  updated_at: t.Number(),
  active_sessions: t.Integer(),
  archived_sessions: t.Integer(),
});

// No maxLength: a too-long id is a malformed id, answered 400 `invalid_request` by the registry like any other.
const AgentId = t.String({ minLength: 1, description: 'Agent id: [A-Za-z0-9_-]{1,64}, trimmed' });

const toRow = (meta: AgentMeta) => ({
  agent_id: meta.agentId,
  path: meta.path,
  created_at: meta.createdAt,
  updated_at: meta.updatedAt,
  active_sessions: meta.activeSessions,
  archived_sessions: meta.archivedSessions,
});

export function agentRoutes(agents: AgentRegistry) {
  return new Elysia({ prefix: '/api/agents', detail: { tags: ['agents'] } })
    .get('', () => ({ data: agents.list().map(toRow) }), {
      response: { 200: ok(t.Array(AgentRow)), ...errors(401, 500) },
      detail: { summary: 'List agents' },
    })
    .post('', ({ body }) => ({ data: toRow(agents.create(body.agent_id)) }), {
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
