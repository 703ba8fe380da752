// /api/retrieval: index status, reindex and direct search over an agent's memory and knowledge.
import { Elysia } from 'elysia';
import type { RetrievalService } from '../../retrieval';
import { AgentQuery, errors } from '../schemas';
import { SearchAnswer, SearchQuery, StatusAnswer } from './retrieval.schema';

export function retrievalRoutes(retrieval: RetrievalService) {
  return new Elysia({ prefix: '/api/retrieval', detail: { tags: ['retrieval'] } })
    .get('/status', ({ query }) => ({ data: retrieval.status(query.agent_id) }), {
      query: AgentQuery,
      response: { 200: StatusAnswer, ...errors(400, 401, 404, 422, 500) },
      detail: {
        summary:
          "An agent's retrieval index: counts, embedding identity and health, search path, last index time and error",
      },
    })
    .post('/reindex', async ({ query }) => ({ data: await retrieval.reindex(query.agent_id) }), {
      query: AgentQuery,
      response: { 200: StatusAnswer, ...errors(400, 401, 404, 422, 500) },
      detail: {
        summary: 'Rebuild the index of memory/ and knowledge/ now',
        description:
          'Re-chunks every file; unchanged chunk texts reuse cached vectors. Retries a failing embedding provider at once.',
      },
    })
    .get(
      '/search',
      async ({ query }) => {
        const answer = await retrieval.searchAnswer(query.agent_id ?? 'default', query.domain, query.q, query.top_k);
        return { data: { query: query.q.trim(), domain: query.domain, ...answer } };
      },
      {
        query: SearchQuery,
        response: { 200: SearchAnswer, ...errors(400, 401, 404, 422, 500) },
        detail: { summary: 'Hybrid search (keywords + vectors) over memory or knowledge' },
      },
    );
}
