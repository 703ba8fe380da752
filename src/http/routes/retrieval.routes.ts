// /api/retrieval: index status, reindex and direct search over an agent's memory and knowledge.
import { Elysia, t } from 'elysia';
import type { RetrievalService } from '../../retrieval/retrieval-service';
import { AgentIdQuery, errors, ok } from '../schemas';

const DomainStatus = t.Object({
  sources: t.Integer(),
  chunks: t.Integer(),
  vectors: t.Integer(),
  dims: t.Integer(),
  chunk_size: t.Integer(),
  chunk_overlap: t.Integer(),
  last_indexed_at: t.Nullable(t.String()),
  last_error: t.Nullable(t.String()),
  legacy_vectors_imported: t.Integer(),
});

const Status = t.Object({
  agent_id: t.String(),
  engine: t.Union([t.Literal('sqlite'), t.Literal('json')]),
  search_path: t.Union([t.Literal('hybrid'), t.Literal('keyword_only')], { description: '`keyword_only` when embeddings are disabled or failing' }),
  degraded_reason: t.Nullable(t.String()),
  embedding: t.Object({
    provider: t.String(),
    model: t.Nullable(t.String()),
    state: t.Union([t.Literal('ok'), t.Literal('degraded'), t.Literal('disabled')]),
    last_error: t.Nullable(t.String()),
    last_error_at: t.Nullable(t.String()),
  }),
  domains: t.Object({ memory: DomainStatus, knowledge: DomainStatus }),
  last_indexed_at: t.Nullable(t.String()),
  last_error: t.Nullable(t.String()),
});

const Hit = t.Object({
  text: t.String(),
  score: t.Number(),
  source: t.String({ description: 'Path relative to the agent folder' }),
  start_line: t.Integer(),
  end_line: t.Integer(),
  domain: t.Union([t.Literal('memory'), t.Literal('knowledge')]),
});

export function retrievalRoutes(retrieval: RetrievalService) {
  return new Elysia({ prefix: '/api/retrieval', detail: { tags: ['retrieval'] } })
    .get('/status', ({ query }) => ({ data: retrieval.status(query.agent_id) }), {
      query: t.Object({ agent_id: AgentIdQuery }),
      response: { 200: ok(Status), ...errors(400, 401, 404, 422, 500) },
      detail: { summary: "An agent's retrieval index: counts, embedding identity and health, search path, last index time and error" },
    })
    .post('/reindex', async ({ query }) => ({ data: await retrieval.reindex(query.agent_id) }), {
      query: t.Object({ agent_id: AgentIdQuery }),
      response: { 200: ok(Status), ...errors(400, 401, 404, 422, 500) },
      detail: {
        summary: 'Rebuild the index of memory/ and knowledge/ now',
        description: 'Re-chunks every file; unchanged chunk texts reuse cached vectors. Retries a failing embedding provider at once.',
      },
    })
    .get(
      '/search',
      async ({ query }) => {
        const results = await retrieval.search(query.agent_id ?? 'default', query.domain, query.q, query.top_k);
        return { data: { query: query.q.trim(), domain: query.domain, results } };
      },
      {
        query: t.Object({
          agent_id: AgentIdQuery,
          domain: t.Union([t.Literal('memory'), t.Literal('knowledge')]),
          q: t.String({ minLength: 1, maxLength: 4000, pattern: '\\S', description: 'The query text' }),
          top_k: t.Optional(t.Integer({ minimum: 1, maximum: 100, description: "Default: the domain's `retrieval.<domain>.top_k`" })),
        }),
        response: {
          200: ok(t.Object({ query: t.String(), domain: t.String(), results: t.Array(Hit) })),
          ...errors(400, 401, 404, 422, 500),
        },
        detail: { summary: 'Hybrid search (keywords + vectors) over memory or knowledge' },
      },
    );
}
