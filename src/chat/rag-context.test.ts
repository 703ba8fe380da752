import { describe, expect, it } from 'bun:test';
import { silentLogger } from '../shared/logger';
import { RAG_QUERY_CHARS, retrieveForTurn } from './rag-context';

describe('retrieveForTurn', () => {
  it('searches with the start of a long message, as the search route takes it, never cutting a surrogate pair', async () => {
    const queries: string[] = [];
    const searcher = {
      search: async (_agentId: string | undefined, _domain: string, query: string) => {
        queries.push(query);
        return [];
      },
    };
    await retrieveForTurn(searcher as never, 'default', 'word '.repeat(40_000), silentLogger);
    await retrieveForTurn(searcher as never, 'default', `${'a'.repeat(RAG_QUERY_CHARS - 1)}😀 and more`, silentLogger);
    await retrieveForTurn(searcher as never, 'default', 'short', silentLogger);
    expect(queries.map((query) => query.length)).toEqual([RAG_QUERY_CHARS, RAG_QUERY_CHARS - 1, 5]);
  });
});
