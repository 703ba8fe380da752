// ConfigService: an agent's runtime config and rag mode, and the tracing switch, at the edge.
import type { RuntimeConfigStore } from './runtime-config';
import type { RuntimeConfig } from './runtime-config.schema';
import type { TracingControl } from './tracing';

/** What config needs of the agents: an id resolved to its folder (400/404 as the agents domain answers). */
export interface ConfigAgents {
  get(rawId?: string | null): { readonly id: string; readonly root: string; config(): RuntimeConfig };
}

export interface ConfigService {
  /** The agent's effective config (global layered under the agent's own). */
  runtime(agentId: string | undefined): { agentId: string; config: RuntimeConfig };
  /**
   * Merges `patch` over the effective config, validates the whole, and stores only what differs from
   * the global config. 422 naming every bad or unknown key (`config.<path>`).
   */
  updateRuntime(
    agentId: string | undefined,
    patch: Record<string, unknown>,
  ): { agentId: string; config: RuntimeConfig };
  ragMode(agentId: string | undefined): { agentId: string; enabled: boolean };
  setRagMode(agentId: string | undefined, enabled: boolean): { agentId: string; enabled: boolean };
  /** Whether LangSmith tracing is on (OBS_TRACING_ENABLED and the variables LangChain reads). */
  tracingEnabled(): boolean;
  /** Switches tracing for this process and persists it to `.env`. */
  setTracing(enabled: boolean): boolean;
}

export interface ConfigServiceDeps {
  agents: ConfigAgents;
  store: Pick<RuntimeConfigStore, 'update'>;
  tracing: TracingControl;
}

export function createConfigService({ agents, store, tracing }: ConfigServiceDeps): ConfigService {
  return {
    runtime(agentId) {
      const agent = agents.get(agentId);
      return { agentId: agent.id, config: agent.config() };
    },
    updateRuntime(agentId, patch) {
      const agent = agents.get(agentId);
      return { agentId: agent.id, config: store.update(agent.root, patch) };
    },
    ragMode(agentId) {
      const agent = agents.get(agentId);
      return { agentId: agent.id, enabled: agent.config().rag_mode };
    },
    setRagMode(agentId, enabled) {
      const agent = agents.get(agentId);
      return { agentId: agent.id, enabled: store.update(agent.root, { rag_mode: enabled }, '').rag_mode };
    },
    tracingEnabled: () => tracing.enabled(),
    setTracing: (enabled) => tracing.set(enabled),
  };
}
