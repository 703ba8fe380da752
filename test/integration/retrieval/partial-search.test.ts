// A search that stops waiting at its 5 s cap says what it answered without: the index's pass, or the query's vector.
import { describe, expect, it } from 'bun:test';
import { searchKnowledge, serverWithHeldFile, startHeldEmbeddings } from '../../support/held-embeddings';

const completeness = ({ body }: { body: any }) => ({ partial: body.data.partial, pending: body.data.pending });
const sources = ({ body }: { body: any }) => body.data.results.map((hit: { source: string }) => hit.source).sort();

describe('GET /api/retrieval/search with a slow embedding provider', () => {
  it('says which part it answered without: the new file not yet indexed, or the query not yet embedded', async () => {
    using provider = startHeldEmbeddings();
    await using server = await serverWithHeldFile(provider);
    // The pass waits on the provider for b.md's vector: answered at the cap from the index as it is.
    const indexing = await searchKnowledge(server);
    expect(indexing.status).toBe(200);
    // Before, the answer had only query, domain and results: nothing told it from a complete one.
    expect(completeness(indexing)).toEqual({ partial: true, pending: ['index'] });
    provider.release();
    await server.deps.retrieval.idle();
    expect(completeness(await searchKnowledge(server))).toEqual({ partial: false, pending: [] });

    // A new query whose vector the provider holds: answered from keywords alone.
    provider.hold((text) => text === 'lighthouse keeper');
    const keywordOnly = await searchKnowledge(server, 'lighthouse keeper');
    expect(completeness(keywordOnly)).toEqual({ partial: true, pending: ['query_vector'] });
    expect(sources(keywordOnly)).toEqual(['knowledge/b.md']);
    provider.release();
  });
});
