// An embedding provider answering with what an index cannot use: the search of the domain still ranks by meaning.
import { describe, expect, it } from 'bun:test';
import { fakeEmbedding } from '../../support/fake-openai-server';
import { startRetrievalFixture } from '../../support/retrieval-fixture';

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
