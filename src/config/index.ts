// Public surface of config: environment settings, the runtime config (schema, store, service) and the tracing switch.
export { EnvError, isLoopbackHost, readEnvSettings } from './env';
export { DEFAULT_ALLOWED_ORIGINS, DEFAULT_TRUSTED_HOSTS } from './env.types';
export type {
  EmbeddingProvider,
  EmbeddingSettings,
  EnvSettings,
  LlmSettings,
  RateLimitSettings,
  RejoinStreamLimits,
  TracingEnv,
} from './env.types';
export { withDotenv } from './dotenv';
export { readModelOverrides, type ModelOverrides } from './model-overrides';
export { readStartEnvironment, replaceEnvironment } from './start-environment';
export { isPlainObject } from './config-file';
export { createRuntimeConfigStore, type RuntimeConfigStore } from './runtime-config';
export { deepMerge } from './config-layers';
export {
  defaultRuntimeConfig,
  isKnownTimeZone,
  KNOWN_TOOL_NAMES,
  modelPriceSchema,
  runtimeConfigSchema,
  type ModelPrice,
  type RuntimeConfig,
} from './runtime-config.schema';
export {
  ENV_PROFILE_ID,
  ENV_REFERENCE,
  FALLBACK_REASONS,
  type BreakerConfig,
  type EmbeddingProfileConfig,
  type FallbackReason,
  type LlmProfileConfig,
  type RouteConfig,
} from './llm-config.schema';
export { indexFilePath } from './storage-paths';
export { createTracingControl, type TracingControl } from './tracing';
export { createConfigService, type ConfigAgents, type ConfigService, type ConfigServiceDeps } from './config.service';
