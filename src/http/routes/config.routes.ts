// /api/config: runtime config (layered, validated), rag mode, tracing.
import { Elysia } from 'elysia';
import type { ConfigService } from '../../config';
import { AgentQuery, errors, requireObject } from '../schemas';
import { ConfigBody, EnabledBody, RagModeAnswer, RuntimeAnswer, Tracing, tracingBody } from './config.schema';

export function configRoutes(config: ConfigService) {
  return new Elysia({ prefix: '/api/config', detail: { tags: ['config'] } })
    .get(
      '/runtime',
      ({ query }) => {
        const { agentId, config: runtime } = config.runtime(query.agent_id);
        return { data: { agent_id: agentId, config: runtime } };
      },
      {
        query: AgentQuery,
        response: { 200: RuntimeAnswer, ...errors(400, 401, 404, 422, 500) },
        detail: { summary: "An agent's effective runtime config" },
      },
    )
    .put(
      '/runtime',
      ({ query, body }) => {
        const patch = requireObject(body.config, 'config');
        const { agentId, config: runtime } = config.updateRuntime(query.agent_id, patch);
        return { data: { agent_id: agentId, config: runtime } };
      },
      {
        query: AgentQuery,
        body: ConfigBody,
        response: { 200: RuntimeAnswer, ...errors(400, 401, 404, 422, 500) },
        detail: {
          summary: 'Change runtime config keys for an agent',
          description:
            'Keys given are merged over the effective config; the whole result is validated; only keys that differ from the global config are stored.',
        },
      },
    )
    .get(
      '/rag-mode',
      ({ query }) => {
        const { agentId, enabled } = config.ragMode(query.agent_id);
        return { data: { enabled, agent_id: agentId } };
      },
      {
        query: AgentQuery,
        response: { 200: RagModeAnswer, ...errors(400, 401, 404, 422, 500) },
        detail: { summary: 'Whether memory arrives by retrieval (rag mode)' },
      },
    )
    .put(
      '/rag-mode',
      ({ query, body }) => {
        const { agentId, enabled } = config.setRagMode(query.agent_id, body.enabled);
        return { data: { enabled, agent_id: agentId } };
      },
      {
        query: AgentQuery,
        body: EnabledBody,
        response: { 200: RagModeAnswer, ...errors(400, 401, 404, 422, 500) },
        detail: { summary: 'Switch rag mode for one agent' },
      },
    )
    .get('/tracing', () => tracingBody(config.tracingEnabled()), {
      response: { 200: Tracing, ...errors(401, 500) },
      detail: { summary: 'LangSmith tracing switch' },
    })
    .put(
      '/tracing',
      ({ body }) => {
        config.setTracing(body.enabled);
        return tracingBody(config.tracingEnabled());
      },
      {
        body: EnabledBody,
        response: { 200: Tracing, ...errors(401, 422, 500) },
        detail: { summary: 'Switch LangSmith tracing (persisted to .env)' },
      },
    );
}
