// Public surface of llm: provider profiles, each agent's model route, the per-profile circuit breakers.
export {
  createLlmService,
  type LlmConfigEdit,
  type LlmOverview,
  type LlmService,
  type LlmServiceDeps,
  type LlmStatus,
  type ModelRoute,
  type ProfileStatus,
} from './llm.service';
export { configProfile, envProfile, pricingOverrides, type ModelProfile } from './model-profiles';
export {
  createBreakerBoard,
  type Admission,
  type BreakerBoard,
  type BreakerSnapshot,
  type BreakerState,
} from './circuit-breaker';
