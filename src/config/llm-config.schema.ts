// Model routing keys of the runtime config: provider profiles, the route of each agent, the circuit breaker.
import { z } from 'zod';
import { envName, headerValue } from './env-name.schema';
import { modelPriceSchema } from './model-price.schema';

export { ENV_REFERENCE } from './env-name.schema';

const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** The id of the profile the `LLM_*` (or `DEEPSEEK_*`) variables define; a config profile may not take it. */
export const ENV_PROFILE_ID = 'default';

export const profileId = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, _ . or -');

const headerName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/, 'must be an HTTP header name');

const endpointFields = {
  base_url: z.url({ protocol: /^https?$/ }).max(2048),
  model: z.string().trim().min(1).max(200),
  /** The variable holding the key (never the key); absent for servers that take none (Ollama, vLLM). */
  api_key_env: envName.optional(),
  headers: z.record(headerName, headerValue).optional(),
  timeout_seconds: int(1, 3600).optional(),
};

/** One OpenAI-compatible chat endpoint. */
export const llmProfileSchema = z.object({ ...endpointFields, pricing: modelPriceSchema.optional() }).strict();
export type LlmProfileConfig = z.output<typeof llmProfileSchema>;

/** One OpenAI-compatible embeddings endpoint; `dimensions` is the length of its vectors. */
export const embeddingProfileSchema = z.object({ ...endpointFields, dimensions: int(1, 65_536) }).strict();
export type EmbeddingProfileConfig = z.output<typeof embeddingProfileSchema>;

const reservedId = (profiles: Record<string, unknown>, context: z.RefinementCtx, variables: string) => {
  if (Object.hasOwn(profiles, ENV_PROFILE_ID)) {
    context.addIssue({
      code: 'custom',
      path: [ENV_PROFILE_ID],
      message: `The profile id "${ENV_PROFILE_ID}" is reserved for the ${variables} variables; choose another id`,
    });
  }
};

export const llmProfilesSchema = z
  .record(profileId, llmProfileSchema)
  .superRefine((profiles, context) => reservedId(profiles, context, 'LLM_*'))
  .default({});
export const embeddingProfilesSchema = z
  .record(profileId, embeddingProfileSchema)
  .superRefine((profiles, context) => reservedId(profiles, context, 'EMBEDDING_*'))
  .default({});

/** The failure classes a route may fall back on; `other` (a bad request, a missing model) never does. */
export const FALLBACK_REASONS = ['timeout', 'rate_limit', 'server_error', 'network_error', 'auth_error'] as const;
export type FallbackReason = (typeof FALLBACK_REASONS)[number];

/** A route: the profile to call, the ones to try next, and on which failures to move on. */
export const routeSchema = z
  .object({
    default: profileId.default(ENV_PROFILE_ID),
    fallbacks: z.array(profileId).max(10).default([]),
    fallback_on: z
      .object({
        timeout: z.boolean().default(true),
        rate_limit: z.boolean().default(true),
        server_error: z.boolean().default(true),
        network_error: z.boolean().default(true),
        auth_error: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((route, context) => {
    route.fallbacks.forEach((id, index) => {
      if (id === route.default)
        context.addIssue({ code: 'custom', path: ['fallbacks', index], message: 'A fallback cannot be the default' });
      else if (route.fallbacks.indexOf(id) < index)
        context.addIssue({ code: 'custom', path: ['fallbacks', index], message: `Profile "${id}" is listed twice` });
    });
  });
export const llmRouteSchema = routeSchema.prefault({});
export type RouteConfig = z.output<typeof routeSchema>;

/** When a profile is skipped: after `failure_threshold` failures in a row, for a cool-down doubling to its cap. */
export const llmBreakerSchema = z
  .object({
    failure_threshold: int(1, 1000).default(3),
    cooldown_seconds: int(1, 86_400).default(60),
    max_cooldown_seconds: int(1, 7 * 86_400).default(900),
  })
  .strict()
  .superRefine((value, context) => {
    if (value.max_cooldown_seconds < value.cooldown_seconds)
      context.addIssue({
        code: 'custom',
        path: ['max_cooldown_seconds'],
        message: 'max_cooldown_seconds must be at least cooldown_seconds',
      });
  })
  .prefault({});
export type BreakerConfig = z.output<typeof llmBreakerSchema>;

interface RoutedConfig {
  llm_profiles: Record<string, unknown>;
  llm_route: RouteConfig;
  embedding_profiles?: Record<string, EmbeddingProfileConfig>;
  embedding_route?: RouteConfig;
}

/**
 * Issues for route entries that name no profile, and for an embedding route whose fallbacks would mix
 * vector spaces (another length, or another model). The env profile `default` always exists; its
 * embedding dimension is unknown, so it cannot share a route with fallbacks.
 */
export function llmRouteProblems(config: RoutedConfig, context: z.RefinementCtx): void {
  const check = (key: 'llm_route' | 'embedding_route', route: RouteConfig, known: Record<string, unknown>) => {
    const names = [ENV_PROFILE_ID, ...Object.keys(known)].join(', ');
    const ids: [string, (string | number)[]][] = [
      [route.default, ['default']],
      ...route.fallbacks.map((id, index): [string, (string | number)[]] => [id, ['fallbacks', index]]),
    ];
    for (const [id, path] of ids) {
      // Own keys only: `in` would find toString, constructor and the rest on every object.
      if (id !== ENV_PROFILE_ID && !Object.hasOwn(known, id))
        context.addIssue({ code: 'custom', path: [key, ...path], message: `Unknown profile "${id}"; known: ${names}` });
    }
  };
  check('llm_route', config.llm_route, config.llm_profiles);
  const route = config.embedding_route;
  const profiles = config.embedding_profiles ?? {};
  if (!route) return;
  check('embedding_route', route, profiles);
  if (route.fallbacks.length === 0) return;
  const expected = profiles[route.default];
  route.fallbacks.forEach((id, index) => {
    const fallback = profiles[id];
    if (!expected || !fallback) return;
    const path = ['embedding_route', 'fallbacks', index];
    if (fallback.dimensions !== expected.dimensions)
      context.addIssue({
        code: 'custom',
        path,
        message: `Profile "${id}" makes ${fallback.dimensions}-dimension vectors, the default ${expected.dimensions}: a fallback must not mix vector spaces`,
      });
    else if (fallback.model !== expected.model)
      context.addIssue({
        code: 'custom',
        path,
        message: `Profile "${id}" serves ${fallback.model}, the default ${expected.model}: another model's vectors live in another space even at the same size (a fallback serves the same model from another host)`,
      });
  });
  if (route.default === ENV_PROFILE_ID || route.fallbacks.includes(ENV_PROFILE_ID)) {
    context.addIssue({
      code: 'custom',
      path: ['embedding_route', 'fallbacks'],
      message: `The "${ENV_PROFILE_ID}" profile (EMBEDDING_* variables) declares no dimensions: a route with fallbacks must use embedding_profiles`,
    });
  }
}
