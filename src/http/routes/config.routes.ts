// /api/config: runtime config (layered, validated), rag mode, tracing.
import { Elysia, t } from 'elysia';
import type { AgentDirectory } from '../../agents';
import type { RuntimeConfigStore } from '../../config/runtime-config';
import type { TracingControl } from '../../config/tracing';
import { AgentIdQuery, errors, ok, requireObject } from '../schemas';

const ConfigObject = t.Record(t.String(), t.Any(), { description: 'The runtime config; see the README for every key' });
// Elysia 1.4 normalises a body before validating it and turns "abc", 5 or [1] into objects that
// pass t.Record; so the body takes anything and requireObject checks it.
const ConfigBody = t.Object({ config: t.Unknown({ description: 'The runtime config (an object); see the README for every key' }) });
const Tracing = t.Object({ provider: t.String(), config_key: t.String(), enabled: t.Boolean() });

export function configRoutes(agents: AgentDirectory, configStore: RuntimeConfigStore, tracing: TracingControl) {
  const tracingBody = () => ({ data: { provider: 'langsmith', config_key: 'OBS_TRACING_ENABLED', enabled: tracing.enabled() } });
  return new Elysia({ prefix: '/api/config', detail: { tags: ['config'] } })
    .get(
      '/runtime',
      ({ query }) => {
        const agent = agents.get(query.agent_id);
        return { data: { agent_id: agent.id, config: agent.config() } };
      },
      {
        query: t.Object({ agent_id: AgentIdQuery }),
        response: { 200: ok(t.Object({ agent_id: t.String(), config: ConfigObject })), ...errors(400, 401, 404, 422, 500) },
        detail: { summary: "An agent's effective runtime config" },
      },
    )
    .put(
      '/runtime',
      ({ query, body }) => {
        const patch = requireObject(body.config, 'config');
        const agent = agents.get(query.agent_id);
        return { data: { agent_id: agent.id, config: configStore.update(agent.root, patch) } };
      },
      {
        query: t.Object({ agent_id: AgentIdQuery }),
        body: ConfigBody,
        response: { 200: ok(t.Object({ agent_id: t.String(), config: ConfigObject })), ...errors(400, 401, 404, 422, 500) },
        detail: {
          summary: 'Change runtime config keys for an agent',
          description: 'Keys given are merged over the effective config; the whole result is validated; only keys that differ from the global config are stored.',
        },
      },
    )
    .get(
      '/rag-mode',
      ({ query }) => {
        const agent = agents.get(query.agent_id);
        return { data: { enabled: agent.config().rag_mode, agent_id: agent.id } };
      },
      {
        query: t.Object({ agent_id: AgentIdQuery }),
        response: { 200: ok(t.Object({ enabled: t.Boolean(), agent_id: t.String() })), ...errors(400, 401, 404, 422, 500) },
        detail: { summary: 'Whether memory arrives by retrieval (rag mode)' },
      },
    )
    .put(
      '/rag-mode',
      ({ query, body }) => {
        const agent = agents.get(query.agent_id);
        const config = configStore.update(agent.root, { rag_mode: body.enabled }, '');
        return { data: { enabled: config.rag_mode, agent_id: agent.id } };
      },
      {
        query: t.Object({ agent_id: AgentIdQuery }),
        body: t.Object({ enabled: t.Boolean() }),
        response: { 200: ok(t.Object({ enabled: t.Boolean(), agent_id: t.String() })), ...errors(400, 401, 404, 422, 500) },
        detail: { summary: 'Switch rag mode for one agent' },
      },
    )
    .get('/tracing', tracingBody, {
      response: { 200: ok(Tracing), ...errors(401, 500) },
      detail: { summary: 'LangSmith tracing switch' },
    })
    .put(
      '/tracing',
      ({ body }) => {
        tracing.set(body.enabled);
        return tracingBody();
      },
      {
        body: t.Object({ enabled: t.Boolean() }),
        response: { 200: ok(Tracing), ...errors(401, 422, 500) },
        detail: { summary: 'Switch LangSmith tracing (persisted to .env)' },
      },
    );
}
