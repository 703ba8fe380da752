// Wire shapes of model routing: a route's status (agents list, readiness), and GET/PUT /api/config/llm.
import { t } from 'elysia';
import type { LlmOverview, LlmStatus, ProfileStatus } from '../../llm';
import { toEpochSeconds } from '../../shared/clock';
import { ok } from '../schemas';

const ProfileState = t.Object({
  id: t.String(),
  model: t.String(),
  runnable: t.Boolean({ description: 'False when its key (or a header) variable is empty' }),
  problem: t.Union([t.String(), t.Null()], { description: 'Why it cannot run' }),
  state: t.Union([t.Literal('closed'), t.Literal('open'), t.Literal('half_open')], {
    description: 'Circuit breaker: `open` profiles are skipped until `open_until`, then one probe decides',
  }),
  last_error: t.Union([t.Object({ reason: t.String(), message: t.String(), at: t.Number() }), t.Null()]),
  open_until: t.Union([t.Number({ description: 'Epoch seconds' }), t.Null()]),
});

export const LlmStatusSchema = t.Object(
  {
    runnable: t.Boolean({ description: 'Whether any profile of the route can run' }),
    route: t.Object({ default: t.String(), fallbacks: t.Array(t.String()) }),
    profiles: t.Array(ProfileState),
  },
  { description: "The agent's model route and each profile's breaker" },
);

const toProfileState = (profile: ProfileStatus) => ({
  id: profile.id,
  model: profile.model,
  runnable: profile.runnable,
  problem: profile.problem,
  state: profile.state,
  last_error: profile.lastError
    ? {
        reason: profile.lastError.reason,
        message: profile.lastError.message,
        at: toEpochSeconds(profile.lastError.atMs),
      }
    : null,
  open_until: profile.openUntilMs === null ? null : toEpochSeconds(profile.openUntilMs),
});

export const toLlmStatus = (status: LlmStatus) => ({
  runnable: status.runnable,
  route: status.route,
  profiles: status.profiles.map(toProfileState),
});

const ProfileView = t.Composite([
  ProfileState,
  t.Object({
    source: t.Union([t.Literal('env'), t.Literal('config')], {
      description: '`env`: the LLM_* variables (profile `default`); `config`: llm_profiles',
    }),
    base_url: t.String(),
    api_key_env: t.Union([t.String(), t.Null()], { description: 'The variable holding the key (never the key)' }),
    api_key_set: t.Boolean({ description: 'Whether that variable holds a value' }),
    headers: t.Record(t.String(), t.String(), { description: 'As configured (`${ENV:NAME}` not replaced)' }),
    timeout_seconds: t.Union([t.Integer(), t.Null()]),
  }),
]);

export const LlmConfigAnswer = ok(
  t.Object({
    profiles: t.Array(ProfileView),
    config: t.Object(
      { llm_profiles: t.Record(t.String(), t.Any()), llm_route: t.Any(), llm_breaker: t.Any() },
      { description: 'The global keys as stored (keys are never stored: only their variable names)' },
    ),
    status: LlmStatusSchema,
  }),
);

// Elysia normalises a body before validating it (dropping unknown keys, turning scalars into objects), so
// the body takes anything: requireObject and the service check it, naming each unknown key.
export const LlmConfigBody = t.Unknown({
  description:
    'An object with any of `llm_profiles` (id -> {base_url, model, api_key_env?, headers?, timeout_seconds?, pricing?}), `llm_route` ({default, fallbacks, fallback_on}) and `llm_breaker` ({failure_threshold, cooldown_seconds, max_cooldown_seconds}); each given replaces the stored one.',
});

export const toLlmConfig = (overview: LlmOverview) => ({
  profiles: overview.profiles.map((profile) => ({
    ...toProfileState(profile),
    source: profile.source,
    base_url: profile.baseUrl,
    api_key_env: profile.apiKeyEnv,
    api_key_set: profile.apiKeySet,
    headers: profile.headers,
    timeout_seconds: profile.timeoutSeconds,
  })),
  config: overview.config,
  status: toLlmStatus(overview.status),
});
