// While a slow provider holds an index pass: passes asked for meanwhile join the one waiting behind it, and a search
// that stops waiting at its 5 s cap says what it answered without (the index's pass, or the query's vector); one
// whose query's vector is held while a pass rewrites the domain answers from the index as it is once the vector comes.
import { describe, expect, it } from 'bun:test';
import { searchKnowledge, serverWithHeldFile, startHeldEmbeddings } from '../../support/held-embeddings';
import { waitFor } from '../../support/scheduler-fixture';
import { createSearchKnowledgeTool } from '../../../src/tools/builtin/search-knowledge.tool';

describe('POST /api/retrieval/reindex', () => {
  it('joins the requests that come while a rebuild of the agent is queued to that rebuild, and answers each', async () => {
    using provider = startHeldEmbeddings();
    await using server = await serverWithHeldFile(provider);
    const reindex = () => server.json('POST', '/api/retrieval/reindex');
    // The first rebuild holds the agent's index queue, waiting on the provider for the new file's vector.
    const first = reindex();
    await provider.waitForHeld(1);
    const later = Array.from({ length: 20 }, reindex);
    await waitFor(() => (server.deps.retrieval.passes('default').reindex.requested === 21 ? true : undefined));
    provider.release();
    const answers = await Promise.all([first, ...later]);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body.data.domains.knowledge).toMatchObject({ sources: 2, chunks: 2, vectors: 2 });
    }
    // Before, 21 rebuilds ran one after another, each asking the provider for its vectors' length.
    expect(server.deps.retrieval.passes('default').reindex).toEqual({ requested: 21, started: 2 });
    expect(provider.texts.filter((text) => text === 'retrieval dimension check')).toHaveLength(2);
  });
});

describe('GET /api/retrieval/search', () => {
  it('queues one pass behind a slow one for the searches that gave up waiting for it, not one a search', async () => {
    using provider = startHeldEmbeddings();
    await using server = await serverWithHeldFile(provider);
    const before = server.deps.retrieval.passes('default').knowledge;
    // Each answers at the 5 s cap while the first pass still waits on the provider.
    const answers = await Promise.all(Array.from({ length: 10 }, () => searchKnowledge(server)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    provider.release();
    await server.deps.retrieval.idle();
    const after = server.deps.retrieval.passes('default').knowledge;
    // Before, 10 passes: the held one, then one for each search that had given up.
    expect({ requested: after.requested - before.requested, started: after.started - before.started }).toEqual({
      requested: 10,
      started: 2,
    });
    expect((await searchKnowledge(server)).body.data.results).toHaveLength(2);
  });
});

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

describe('search_knowledge_base with a slow embedding provider', () => {
  it('tells the model what its results may miss, and says nothing more of a complete search', async () => {
    using provider = startHeldEmbeddings();
    await using server = await serverWithHeldFile(provider);
    const tool = createSearchKnowledgeTool(server.deps.retrieval);
    const search = async (query: string) => (await tool.run({ query }, { agentId: 'default' } as never)) as any;
    const indexing = await search('zebra');
    expect(indexing.data.partial).toBe(true);
    expect(indexing.data.pending).toEqual([
      'the index is still being brought up to date: files changed lately, or the search by meaning, may be missing',
    ]);
    provider.release();
    await server.deps.retrieval.idle();
    const complete = await search('zebra');
    expect(Object.keys(complete.data).sort()).toEqual(['query', 'results']);
    provider.hold((text) => text === 'lighthouse keeper');
    const keywordOnly = await search('lighthouse keeper');
    expect(keywordOnly.data.pending).toEqual(['matched by words only: the search by meaning did not answer in time']);
    expect(keywordOnly.data.results.map((hit: any) => hit.source)).toEqual(['knowledge/b.md']);
    provider.release();
  });
});

describe('GET /api/retrieval/search while a pass rewrites the domain', () => {
  it('answers from the index as it is once its query vector comes, not from chunks a pass replaced meanwhile', async () => {
    using provider = startHeldEmbeddings();
    await using server = await serverWithHeldFile(provider);
    provider.release();
    await server.deps.retrieval.idle();
    provider.hold((text) => text === 'Zebra');
    const searching = searchKnowledge(server, 'Zebra');
    await provider.waitForHeld(1);
    // While the search waits for its query's vector, a write re-chunks a.md: its chunk is replaced by another.
    const started = () => server.deps.retrieval.passes('default').knowledge.started;
    const before = started();
    const write = { path: 'knowledge/a.md', content: 'A zebra in the first file, seen again.\n' };
    expect((await server.json('POST', '/api/files', write)).status).toBe(200);
    await waitFor(() => (started() > before ? true : undefined));
    await server.deps.retrieval.idle();
    provider.release();
    const answer = await searching;
    // Before, a.md's keyword hit named the chunk replaced meanwhile and was dropped, the answer said complete.
    expect(sources(answer)).toEqual(['knowledge/a.md', 'knowledge/b.md']);
    expect(completeness(answer)).toEqual({ partial: false, pending: [] });
  });
});
