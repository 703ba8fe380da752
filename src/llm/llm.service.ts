// LlmService: each agent's model route (profiles in order, runnable or not), breaker state, and the llm config edits.
import type { LlmSettings, RouteConfig, RuntimeConfig, RuntimeConfigStore } from '../config';
import { AppError, validationErrors } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { createBreakerBoard, type BreakerBoard, type BreakerState } from './circuit-breaker';
import { chatProfiles, type ModelProfile } from './model-profiles';

type Env = Record<string, string | undefined>;

/** The profiles an agent's turn may call, in order, and when to move from one to the next. */
export interface ModelRoute {
  /** Runnable profiles: the default first, then the fallbacks. */
  candidates: ModelProfile[];
  /** Profiles of the route that cannot run (their key variable is empty), with the reason. */
  notRunnable: ModelProfile[];
  fallbackOn: RouteConfig['fallback_on'];
}

export interface ProfileStatus {
  id: string;
  model: string;
  runnable: boolean;
  problem: string | null;
  state: BreakerState;
  lastError: { reason: string; message: string; atMs: number } | null;
  openUntilMs: number | null;
}

/** Whether an agent can call a model now, its route, and each profile's breaker. */
export interface LlmStatus {
  runnable: boolean;
  route: { default: string; fallbacks: string[] };
  profiles: ProfileStatus[];
}

/** What `GET /api/config/llm` shows: every profile (keys masked), the global route and breaker settings. */
export interface LlmOverview {
  profiles: (ProfileStatus & {
    source: 'env' | 'config';
    baseUrl: string;
    apiKeyEnv: string | null;
    apiKeySet: boolean;
    headers: Record<string, string>;
    timeoutSeconds: number | null;
  })[];
  config: Pick<RuntimeConfig, 'llm_profiles' | 'llm_route' | 'llm_breaker'>;
  status: LlmStatus;
}

const EDITABLE_KEYS = ['llm_profiles', 'llm_route', 'llm_breaker'] as const;

/** The global keys `PUT /api/config/llm` replaces (each one given replaces the stored one whole). */
export type LlmConfigEdit = Partial<Record<(typeof EDITABLE_KEYS)[number], unknown>>;

export interface LlmService {
  /** The route of an agent with `config`; 503 `llm_not_configured` when none of its profiles can run. */
  route(config: RuntimeConfig): ModelRoute;
  status(config: RuntimeConfig): LlmStatus;
  /** The status of an agent's route, by agent id. */
  statusOf(agentId: string): LlmStatus;
  overview(): LlmOverview;
  /**
   * Replaces the given keys in the global config; 422 (`llm_route.fallbacks.0: …`, an unknown key, or an
   * agent whose route would name a removed profile) leaves the file as it was.
   */
  update(edit: Record<string, unknown>): LlmOverview;
  readonly breakers: BreakerBoard;
}

export interface LlmServiceDeps {
  settings: LlmSettings;
  /** Where key and header variables are read (process.env in production). */
  env: Env;
  clock: Clock;
  configStore: Pick<RuntimeConfigStore, 'global' | 'updateGlobal'>;
  /** An agent's effective config. */
  agentConfig(agentId: string): RuntimeConfig;
  /** Every agent's folder: an edit must leave each agent's route valid. */
  agentRoots(): string[];
}

export function createLlmService(deps: LlmServiceDeps): LlmService {
  const breakers = createBreakerBoard(deps.clock, () => deps.configStore.global().llm_breaker);
  const profilesOf = (config: RuntimeConfig) => chatProfiles(config, deps.settings, deps.env);
  const profileStatus = (profile: ModelProfile): ProfileStatus => {
    const breaker = breakers.snapshot(profile.id);
    return {
      id: profile.id,
      model: profile.model,
      runnable: profile.runnable,
      problem: profile.problem,
      state: breaker.state,
      lastError: breaker.lastError,
      openUntilMs: breaker.openUntilMs,
    };
  };
  const routeProfiles = (config: RuntimeConfig): ModelProfile[] => {
    const profiles = profilesOf(config);
    // Validation guarantees every id names a profile.
    return [config.llm_route.default, ...config.llm_route.fallbacks].flatMap((id) => profiles.get(id) ?? []);
  };
  const status = (config: RuntimeConfig): LlmStatus => {
    const profiles = routeProfiles(config);
    return {
      runnable: profiles.some((profile) => profile.runnable),
      route: { default: config.llm_route.default, fallbacks: config.llm_route.fallbacks },
      profiles: profiles.map(profileStatus),
    };
  };
  const overview = (): LlmOverview => {
    const config = deps.configStore.global();
    return {
      profiles: [...profilesOf(config).values()].map((profile) => ({
        ...profileStatus(profile),
        source: profile.source,
        baseUrl: profile.baseUrl,
        apiKeyEnv: profile.apiKeyEnv,
        apiKeySet: profile.apiKeySet,
        headers: profile.source === 'config' ? { ...(config.llm_profiles[profile.id]?.headers ?? {}) } : {},
        timeoutSeconds: profile.timeoutSeconds,
      })),
      config: { llm_profiles: config.llm_profiles, llm_route: config.llm_route, llm_breaker: config.llm_breaker },
      status: status(config),
    };
  };

  return {
    breakers,
    route(config) {
      const profiles = routeProfiles(config);
      const candidates = profiles.filter((profile) => profile.runnable);
      if (candidates.length === 0) {
        const problems = profiles.map((profile) => `${profile.id}: ${profile.problem}`).join('; ');
        throw new AppError('llm_not_configured', `No model of the route can run (${problems}).`, {
          variables: ['LLM_BASE_URL', 'LLM_MODEL', 'LLM_API_KEY'],
          profiles: profiles.map((profile) => ({ id: profile.id, problem: profile.problem })),
        });
      }
      return {
        candidates,
        notRunnable: profiles.filter((profile) => !profile.runnable),
        fallbackOn: config.llm_route.fallback_on,
      };
    },
    status,
    statusOf: (agentId) => status(deps.agentConfig(agentId)),
    overview,
    update(edit) {
      const unknown = Object.keys(edit).filter((key) => !(EDITABLE_KEYS as readonly string[]).includes(key));
      if (unknown.length > 0)
        throw validationErrors(unknown.map((field) => ({ field, message: 'Unknown key', code: 'extra_forbidden' })));
      deps.configStore.updateGlobal(
        (raw) => {
          for (const key of EDITABLE_KEYS) if (edit[key] !== undefined) raw[key] = edit[key];
          return raw;
        },
        '',
        deps.agentRoots(),
      );
      return overview();
    },
  };
}
