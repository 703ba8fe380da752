// search_knowledge_base and search_memory: ranked passages from the agent's knowledge/ and memory/ via the retrieval searcher.
import { z } from 'zod';
import type { RetrievalDomain, RetrievalSearcher, SearchPending } from '../../retrieval';
import type { ToolDefinition } from '../tool-definition';
import { success } from '../tool-result';

const schema = z.object({
  query: z.string().trim().min(1).max(2000).describe('What to look for'),
  top_k: z.number().int().min(1).max(10).optional().describe('How many passages (default from config)'),
});

/** What a partial search answered without, as the model is told it. */
const PENDING_NOTES: Record<SearchPending, string> = {
  index: 'the index is still being brought up to date: files changed lately, or the search by meaning, may be missing',
  query_vector: 'matched by words only: the search by meaning did not answer in time',
};

function createSearchTool(
  name: string,
  domain: RetrievalDomain,
  description: string,
  retrieval: RetrievalSearcher,
): ToolDefinition<z.output<typeof schema>> {
  return {
    name,
    description,
    level: 0,
    schema,
    async run({ query, top_k }, context) {
      const answer = await retrieval.searchAnswer(context.agentId, domain, query, top_k);
      return success({
        query,
        results: answer.results.map((hit) => ({
          text: hit.text,
          score: hit.score,
          source: hit.source,
          start_line: hit.start_line,
          end_line: hit.end_line,
        })),
        // Only when the search stopped waiting at its cap: the model is told what the results may be missing.
        ...(answer.partial && { partial: true, pending: answer.pending.map((what) => PENDING_NOTES[what]) }),
      });
    },
  };
}

export const createSearchKnowledgeTool = (retrieval: RetrievalSearcher) =>
  createSearchTool(
    'search_knowledge_base',
    'knowledge',
    "Search the agent's knowledge base (files under knowledge/) for relevant passages.",
    retrieval,
  );

export const createSearchMemoryTool = (retrieval: RetrievalSearcher) =>
  createSearchTool(
    'search_memory',
    'memory',
    "Search the agent's long-term memory (memory/) for relevant notes.",
    retrieval,
  );
