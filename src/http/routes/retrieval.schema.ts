// Wire shapes of /api/retrieval: an agent's index status and search hits.
import { t } from 'elysia';
import { AgentIdQuery, ok } from '../schemas';

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

export const Status = t.Object({
  agent_id: t.String(),
  engine: t.Union([t.Literal('sqlite'), t.Literal('json')]),
  search_path: t.Union([t.Literal('hybrid'), t.Literal('keyword_only')], {
    description: '`keyword_only` when embeddings are disabled or failing',
  }),
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

export const Hit = t.Object({
  text: t.String(),
  score: t.Number(),
  source: t.String({ description: 'Path relative to the agent folder' }),
  start_line: t.Integer(),
  end_line: t.Integer(),
  domain: t.Union([t.Literal('memory'), t.Literal('knowledge')]),
});

export const SearchQuery = t.Object({
  agent_id: AgentIdQuery,
  domain: t.Union([t.Literal('memory'), t.Literal('knowledge')]),
  q: t.String({ minLength: 1, maxLength: 4000, pattern: '\\S', description: 'The query text' }),
  top_k: t.Optional(
    t.Integer({ minimum: 1, maximum: 100, description: "Default: the domain's `retrieval.<domain>.top_k`" }),
  ),
});

export const StatusAnswer = ok(Status);
export const SearchAnswer = ok(
  t.Object({
    query: t.String(),
    domain: t.String(),
    results: t.Array(Hit),
    partial: t.Boolean({
      description: 'True when the search stopped waiting at its 5 s cap: `results` may miss what `pending` names',
    }),
    pending: t.Array(t.Union([t.Literal('index'), t.Literal('query_vector')]), {
      description:
        'What the search answered without: `index` (changed files not yet indexed or embedded), `query_vector` (the query not yet embedded: keywords only)',
    }),
  }),
);
