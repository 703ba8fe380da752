import { describe, expect, it } from 'bun:test';
import { createLogger } from '../../../src/shared/logger';
import { startRetrievalFixture } from '../../support/retrieval-fixture';

describe('retrieval when the embedding server fails', () => {
  it('answers from keywords, says so in the status and the log once, and recovers when the server is back', async () => {
    let now = Date.parse('2026-11-27T10:00:00Z');
    const lines: string[] = [];
    await using fixture = await startRetrievalFixture({
      overrides: { clock: { nowMs: () => now }, logger: createLogger('warn', (line) => lines.push(line)) },
    });
    const { model } = fixture;
    model.failEmbeddings(503);
    fixture.writeDirect('knowledge/cars.md', 'The automobile needs new tyres before winter.\n');
    fixture.writeDirect('knowledge/pets.md', 'The puppy sleeps in the basket by the stove.\n');

    const keyword = await fixture.search('knowledge', 'automobile tyres');
    expect(keyword.map((hit: any) => hit.source)).toEqual(['knowledge/cars.md']);
    // A paraphrase needs vectors: with the provider down it finds nothing.
    expect(await fixture.search('knowledge', 'vehicle')).toEqual([]);
    const degraded = await fixture.status();
    expect(degraded.search_path).toBe('keyword_only');
    expect(degraded.embedding).toEqual(
      expect.objectContaining({
        provider: 'openai',
        model: 'fake-embed',
        state: 'degraded',
        last_error: 'embedding server answered 503: fake embedding failure',
      }),
    );
    expect(degraded.degraded_reason).toContain('503');
    expect(degraded.domains.knowledge).toEqual(expect.objectContaining({ sources: 2, chunks: 2, vectors: 0 }));
    const failedRequests = model.embeddingRequests().length;
    expect(failedRequests).toBeGreaterThanOrEqual(3); // one batch, retried with backoff

    // Within the cool-down nothing is sent; after it the provider is tried again, and the warning is not repeated.
    await fixture.search('knowledge', 'automobile');
    expect(model.embeddingRequests().length).toBe(failedRequests);
    now += 31_000;
    await fixture.search('knowledge', 'automobile');
    expect(model.embeddingRequests().length).toBeGreaterThan(failedRequests);
    expect(lines.filter((line) => line.includes('embeddings unavailable')).length).toBe(1);

    model.failEmbeddings(null);
    now += 31_000;
    const paraphrase = await fixture.search('knowledge', 'vehicle');
    expect(paraphrase[0].source).toBe('knowledge/cars.md');
    const recovered = await fixture.status();
    expect(recovered.search_path).toBe('hybrid');
    expect(recovered.embedding.state).toBe('ok');
    expect(recovered.domains.knowledge.vectors).toBe(2);
  });

  it('reindex retries a failing provider at once, without waiting for the cool-down', async () => {
    await using fixture = await startRetrievalFixture();
    fixture.model.failEmbeddings(500);
    fixture.writeDirect('memory/MEMORY.md', 'My favourite beverage is green tea.\n');
    await fixture.search('memory', 'beverage');
    expect((await fixture.status()).embedding.state).toBe('degraded');
    fixture.model.failEmbeddings(null);
    const response = await fixture.server.json('POST', '/api/retrieval/reindex');
    expect(response.status).toBe(200);
    expect(response.body.data.embedding.state).toBe('ok');
    expect(response.body.data.domains.memory.vectors).toBe(response.body.data.domains.memory.chunks);
  });

  it('is keyword-only by choice with EMBEDDING_PROVIDER=none, and never calls the server', async () => {
    await using fixture = await startRetrievalFixture({ env: { EMBEDDING_PROVIDER: 'none' } });
    fixture.writeDirect('knowledge/cars.md', 'The automobile needs new tyres.\n');
    expect((await fixture.search('knowledge', 'tyres'))[0].source).toBe('knowledge/cars.md');
    const status = await fixture.status();
    expect(status.search_path).toBe('keyword_only');
    expect(status.embedding).toEqual({
      provider: 'none',
      model: null,
      state: 'disabled',
      last_error: null,
      last_error_at: null,
    });
    expect(fixture.model.embeddingRequests()).toEqual([]);
  });
});
