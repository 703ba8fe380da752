// An embedding provider answering with what an index cannot use: the search of the domain still ranks by meaning.
import { describe, expect, it } from 'bun:test';
import { fakeEmbedding, startFakeOpenAiServer } from '../../support/fake-openai-server';
import { type RetrievalFixture, startRetrievalFixture } from '../../support/retrieval-fixture';
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

describe('a provider whose vectors change length under the same model name', () => {
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
    expect((await fixture.status()).domains.knowledge.last_error).toBe(
      "embedding has 16 dimensions, the index's vectors 8",
    );
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
