// An embedding provider answering with what an index cannot use: the search of the domain still ranks by meaning.
import { describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeEmbedding, startFakeOpenAiServer } from '../../support/fake-openai-server';
import { startHeldEmbeddings } from '../../support/held-embeddings';
import { type RetrievalFixture, startRetrievalFixture } from '../../support/retrieval-fixture';
import { startTestServer } from '../../support/start-test-server';
import { makeTempDir } from '../../support/temp-dir';

describe('a hostile embedding provider', () => {
  it('a number too large for float32 in one vector does not flatten the vector leg of every search', async () => {
    await using fixture = await startRetrievalFixture();
    // 1e39 is a finite JSON number but Infinity as float32: its cosine with any query was NaN, which made every
    // chunk of the domain score alike in the vector leg, so chunks without the query's words came back.
    fixture.model.setEmbedder((text) =>
      text.includes('frog')
        ? fakeEmbedding(text).map((value, index) => (index === 0 ? 1e39 : value))
        : fakeEmbedding(text),
    );
    fixture.writeDirect('knowledge/a.md', 'The zebra eats grass on the plain.\n');
    fixture.writeDirect('knowledge/b.md', 'The poison frog is bright and the zebra runs.\n');
    fixture.writeDirect('knowledge/c.md', 'Grass grows on the plain after rain.\n');
    const sources = (await fixture.search('knowledge', 'zebra')).map((hit) => hit.source);
    expect(sources.sort()).toEqual(['knowledge/a.md', 'knowledge/b.md']);
    const scores = (await fixture.search('knowledge', 'zebra grass plain')).map((hit) => hit.score);
    expect(scores.every(Number.isFinite)).toBe(true);
  });
});

describe('a provider that holds its answers', () => {
  it('holds a search 5 s at most, even while the index waits on it for a new file', async () => {
    using provider = startHeldEmbeddings();
    await using server = await startTestServer({ env: provider.env });
    const search = () => server.json('GET', '/api/retrieval/search?domain=knowledge&q=zebra&top_k=5');
    await server.json('POST', '/api/files', { path: 'knowledge/a.md', content: 'A zebra in the first file.\n' });
    expect((await search()).body.data.results).toHaveLength(1);
    provider.hold(() => true);
    await server.json('POST', '/api/files', { path: 'knowledge/b.md', content: 'A zebra in the second file.\n' });
    // Before, the search waited for the pass embedding b.md, which waits on the provider (here until released; a
    // real one 3 attempts of 20 s a batch), longer than a client or Bun's 10 s idle limit waits.
    // The provider is released only after the race: a search that waited for the pass has no answer by then.
    const answer = await Promise.race([search(), Bun.sleep(12_000).then(() => null)]);
    provider.release();
    expect(answer?.status).toBe(200);
    // b.md is searchable by its words meanwhile: before, its chunks were written only once the provider answered.
    expect(answer?.body.data.results.map((hit: { source: string }) => hit.source).sort()).toEqual([
      'knowledge/a.md',
      'knowledge/b.md',
    ]);
    await server.deps.retrieval.idle();
    expect((await search()).body.data.results).toHaveLength(2);
  });
});

const LENGTH_ERROR =
  "embedding has 16 dimensions, the index's vectors 8 (POST /api/retrieval/reindex takes a new length on)";

describe('a provider whose vectors change length under the same model name', () => {
  it('says so in the status once a search met it, though no file changed', async () => {
    using data = makeTempDir('moc-length-quiet-');
    await using model = await startFakeOpenAiServer();
    {
      await using fixture = await startRetrievalFixture({ model, dataDir: data.path });
      fixture.writeDirect('knowledge/a.md', 'The zebra eats grass on the plain.\n');
      await fixture.search('knowledge', 'zebra');
    }
    model.setEmbedder((text) => [...fakeEmbedding(text), ...fakeEmbedding(text).reverse()]);
    await using fixture = await startRetrievalFixture({ model, dataDir: data.path });
    await fixture.search('knowledge', 'grass');
    // Before, nothing: status hybrid, no error, while every search of the domain went keyword-only.
    const status = await fixture.status();
    expect([status.domains.knowledge.last_error, status.last_error]).toEqual([LENGTH_ERROR, LENGTH_ERROR]);
  });

  it('is searched by meaning again after a reindex, which embeds everything anew', async () => {
    using data = makeTempDir('moc-length-');
    await using model = await startFakeOpenAiServer();
    const byMeaning = async (fixture: RetrievalFixture) => (await fixture.search('knowledge', 'zzzebra')).length;
    {
      await using fixture = await startRetrievalFixture({ model, dataDir: data.path });
      fixture.writeDirect('knowledge/a.md', 'The zebra eats grass on the plain.\n');
      fixture.writeDirect('knowledge/c.md', 'Rain falls in spring.\n');
      // No keyword matches: only the vector leg finds anything.
      expect(await byMeaning(fixture)).toBeGreaterThan(0);
    }
    // A new model behind the same name: 16 numbers a vector instead of 8.
    model.setEmbedder((text) => [...fakeEmbedding(text), ...fakeEmbedding(text).reverse()]);
    await using fixture = await startRetrievalFixture({ model, dataDir: data.path });
    fixture.writeDirect('knowledge/b.md', 'The lion sleeps.\n');
    expect(await byMeaning(fixture)).toBe(0);
    expect((await fixture.status()).domains.knowledge.last_error).toBe(LENGTH_ERROR);
    const embeddedBefore = model.embeddedTexts().length;
    const reindexed = (await fixture.server.json('POST', '/api/retrieval/reindex')).body.data;
    expect(reindexed.domains.knowledge).toMatchObject({ chunks: 3, vectors: 3, dims: 16, last_error: null });
    // The cached vectors of the old length were dropped: every chunk was embedded again (and the check's text).
    const texts = model.embeddedTexts().slice(embeddedBefore);
    expect(texts.filter((text) => text.includes('zebra eats'))).toHaveLength(1);
    // Before, the vectors of 8 stayed cached and the loaded vector index kept them: searches by meaning found nothing.
    expect(await byMeaning(fixture)).toBeGreaterThan(0);
  });
});

describe('a search whose pass outlasts it', () => {
  it('keeps the agent open until the pass ends, so the vectors it waited for are kept', async () => {
    using provider = startHeldEmbeddings();
    await using server = await startTestServer({
      env: {
        ...provider.env,
        // One agent's storage open at a time: opening another closes the least recently used one not in use.
        APP_MAX_OPEN_AGENTS: '1',
      },
    });
    const search = () => server.json('GET', '/api/retrieval/search?domain=knowledge&q=zebra');
    expect((await search()).status).toBe(200);
    provider.hold(() => true);
    writeFileSync(
      join(server.dataDir, 'workspaces', 'default', 'knowledge', 'b.md'),
      'The lighthouse keeper trims the lamp.\n',
    );
    // Answered after 5 s while the pass it started waits on the provider for b.md's vector.
    expect((await search()).status).toBe(200);
    expect((await server.json('POST', '/api/agents', { agent_id: 'other' })).status).toBe(200);
    provider.release();
    await server.deps.retrieval.idle();
    expect((await search()).status).toBe(200);
    // Before, the new agent closed the default agent's index under its pass: the vector it had waited for was lost,
    // and asked for again.
    expect(provider.texts.filter((text) => text.includes('lighthouse'))).toHaveLength(1);
  });
});
