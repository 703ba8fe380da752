// /api/config/llm: provider profiles (keys masked), the global route and breaker settings, and their edit.
import { Elysia } from 'elysia';
import type { LlmService } from '../../llm';
import { errors, requireObject } from '../schemas';
import { LlmConfigAnswer, LlmConfigBody, toLlmConfig } from './llm.schema';

export function llmConfigRoutes(llm: Pick<LlmService, 'overview' | 'update'>) {
  return new Elysia({ prefix: '/api/config/llm', detail: { tags: ['config'] } })
    .get('', () => ({ data: toLlmConfig(llm.overview()) }), {
      response: { 200: LlmConfigAnswer, ...errors(401, 500) },
      detail: {
        summary: 'Model providers, the global route and breaker state',
        description:
          "Every profile (`default` from the LLM_* variables, then `llm_profiles`) with the name of its key variable and whether it is set, never the key; the global `llm_route` and `llm_breaker`; each profile's circuit breaker.",
      },
    })
    .put('', ({ body }) => ({ data: toLlmConfig(llm.update(requireObject(body, ''))) }), {
      body: LlmConfigBody,
      response: { 200: LlmConfigAnswer, ...errors(401, 422, 500) },
      detail: {
        summary: 'Replace model profiles, the global route or breaker settings',
        description:
          "Each key given replaces the stored one whole (so a profile can be removed). The result is validated with every agent's own route over it: an unknown profile, a fallback equal to the default or listed twice, or a profile an agent still uses gives 422 and changes nothing. Keys live in environment variables: a profile names one in `api_key_env`.",
      },
    });
}
