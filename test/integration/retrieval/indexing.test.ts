import { describe, expect, it } from 'bun:test';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CONCEPTS } from '../../../bench/retrieval-eval/concepts';
import { createConceptEmbedder } from '../../support/concept-embedder';
import { startFakeOpenAiServer } from '../../support/fake-openai-server';
import { startRetrievalFixture } from '../../support/retrieval-fixture';
import { makeTempDir } from '../../support/temp-dir';

const lines = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, index) => `${prefix} line ${index + 1} about topic ${prefix}${index}`).join('\n');

describe('retrieval indexing', () => {
  it('indexes knowledge files, then re-embeds only the chunks of an edited file', async () => {
    await using fixture = await startRetrievalFixture();
    const { server, model } = fixture;
    await server.json('POST', '/api/files', { path: 'knowledge/alpha.md', content: lines('alpha', 40) });
    await server.json('POST', '/api/files', { path: 'knowledge/beta.md', content: lines('beta', 40) });
    const first = await fixture.search('knowledge', 'alpha line 3');
    expect(first[0].source).toBe('knowledge/alpha.md');
    const status = await fixture.status();
    expect(status.domains.knowledge).toEqual(
      expect.objectContaining({ sources: 2, vectors: status.domains.knowledge.chunks }),
    );
    expect(status.domains.knowledge.chunks).toBeGreaterThan(4);
    expect(status.search_path).toBe('hybrid');

    const before = model.embeddedTexts().length;
    const edited = lines('alpha', 40).replace('alpha line 39 about', 'alpha line 39 now mentions gamma about');
    await server.json('POST', '/api/files', { path: 'knowledge/alpha.md', content: edited });
    const hits = await fixture.search('knowledge', 'alpha line 3');
    expect(hits.length).toBeGreaterThan(0);
    const embedded = model.embeddedTexts().slice(before);
    // Only the chunks holding the edited line are new texts; the query itself was cached.
    expect(embedded.length).toBeGreaterThanOrEqual(1);
    expect(embedded.length).toBeLessThanOrEqual(2);
    for (const text of embedded) expect(text).toContain('gamma');
    const gamma = await fixture.search('knowledge', 'gamma');
    expect(gamma[0]).toEqual(expect.objectContaining({ source: 'knowledge/alpha.md', end_line: expect.any(Number) }));
    expect(gamma[0].text).toContain('alpha line 39 now mentions gamma');
  });

  it('drops a deleted file from the index and skips binaries and other extensions', async () => {
    await using fixture = await startRetrievalFixture();
    fixture.writeDirect('knowledge/keep.txt', 'the keeper of lighthouses');
    fixture.writeDirect('knowledge/gone.md', 'the lighthouse was demolished');
    fixture.writeDirect('knowledge/blob.md', 'lighthouse\u0000binary');
    fixture.writeDirect('knowledge/image.png', 'lighthouse');
    const sources = (await fixture.search('knowledge', 'lighthouse')).map((hit: any) => hit.source);
    expect(sources[0]).toBe('knowledge/gone.md');
    expect(sources).not.toContain('knowledge/blob.md');
    expect(sources).not.toContain('knowledge/image.png');
    expect((await fixture.status()).domains.knowledge.sources).toBe(3);
    rmSync(join(fixture.server.dataDir, 'workspaces', 'default', 'knowledge', 'gone.md'));
    expect((await fixture.search('knowledge', 'lighthouse')).map((hit: any) => hit.source)).toEqual([
      'knowledge/keep.txt',
    ]);
    const status = await fixture.status();
    expect(status.domains.knowledge.sources).toBe(2);
    expect(status.domains.knowledge.chunks).toBe(1);
  });

  it('rebuilds every vector when the embedding model changes, and chunks when chunk settings change', async () => {
    using data = makeTempDir('moc-retrieval-');
    await using model = await startFakeOpenAiServer();
    model.setEmbedder(createConceptEmbedder(CONCEPTS));
    {
      await using fixture = await startRetrievalFixture({ dataDir: data.path, model });
      fixture.writeDirect('knowledge/guide.md', lines('guide', 30));
      await fixture.search('knowledge', 'guide');
      expect((await fixture.status()).embedding.model).toBe('fake-embed');
    }
    const before = model.embeddingRequests().length;
    await using fixture = await startRetrievalFixture({
      dataDir: data.path,
      model,
      env: { EMBEDDING_MODEL: 'fake-embed-2' },
    });
    await fixture.search('knowledge', 'guide');
    const status = await fixture.status();
    expect(status.embedding.model).toBe('fake-embed-2');
    expect(status.domains.knowledge.vectors).toBe(status.domains.knowledge.chunks);
    const sent = model.embeddingRequests().slice(before);
    expect(sent.every((request) => request.body.model === 'fake-embed-2')).toBe(true);
    const texts = sent.flatMap((request) => request.body.input);
    expect(texts.filter((text: string) => text.includes('guide line')).length).toBe(status.domains.knowledge.chunks);

    const chunksBefore = status.domains.knowledge.chunks;
    await fixture.server.json('PUT', '/api/config/runtime', {
      config: { retrieval: { knowledge: { chunk_size: 100, chunk_overlap: 0 } } },
    });
    await fixture.search('knowledge', 'guide');
    const rechunked = await fixture.status();
    expect(rechunked.domains.knowledge.chunk_size).toBe(100);
    expect(rechunked.domains.knowledge.chunks).toBeGreaterThan(chunksBefore);
  });

  it('does not cache vectors of another length than the index has, so a file is embedded again once the provider is right', async () => {
    await using fixture = await startRetrievalFixture();
    const { server, model } = fixture;
    await server.json('POST', '/api/files', { path: 'knowledge/alpha.md', content: 'The kitten chased a sparrow.\n' });
    await fixture.search('knowledge', 'kitten');
    const dims = (await fixture.status()).domains.knowledge.dims;
    // The provider answers with short vectors for a while: the new file gets none, the status says why.
    model.setEmbedder(() => [1, 0, 0]);
    await server.json('POST', '/api/files', { path: 'knowledge/beta.md', content: 'The lawyer read the agreement.\n' });
    await fixture.search('knowledge', 'lawyer');
    const short = await fixture.status();
    expect(short.domains.knowledge).toMatchObject({ chunks: 2, vectors: 1 });
    expect(short.domains.knowledge.last_error).toContain('embedding has 3 dimensions');
    // Right again: the file is embedded now (its short vector was never cached).
    model.setEmbedder(createConceptEmbedder(CONCEPTS));
    const reindexed = (await server.json('POST', '/api/retrieval/reindex')).body.data;
    expect(reindexed.domains.knowledge).toMatchObject({ chunks: 2, vectors: 2, dims });
  });
});
