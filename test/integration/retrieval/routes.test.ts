import { describe, expect, it } from 'bun:test';
import { startRetrievalFixture } from '../../support/retrieval-fixture';
import { waitFor } from '../../support/scheduler-fixture';

describe('/api/retrieval', () => {
  it('GET /status reports counts, embedding identity, search path and index time', async () => {
    await using fixture = await startRetrievalFixture();
    fixture.writeDirect('memory/MEMORY.md', '# Memory\nLikes espresso.\n');
    fixture.writeDirect('memory/notes/2026-11-01.md', 'Met the attorney about the contract.\n');
    await fixture.search('memory', 'espresso');
    const response = await fixture.server.json('GET', '/api/retrieval/status?agent_id=default');
    expect(response.status).toBe(200);
    const status = response.body.data;
    expect(status).toEqual(
      expect.objectContaining({
        agent_id: 'default',
        engine: 'sqlite',
        search_path: 'hybrid',
        degraded_reason: null,
        last_error: null,
        last_indexed_at: expect.any(String),
      }),
    );
    expect(status.embedding).toEqual({
      provider: 'openai',
      model: 'fake-embed',
      state: 'ok',
      last_error: null,
      last_error_at: null,
    });
    expect(status.domains.memory).toEqual(
      expect.objectContaining({
        sources: 2,
        chunks: 2,
        vectors: 2,
        dims: 256,
        chunk_size: 256,
        chunk_overlap: 32,
        legacy_vectors_imported: 0,
      }),
    );
  });

  it('GET /search returns hits with source and line range, honouring top_k', async () => {
    await using fixture = await startRetrievalFixture();
    fixture.writeDirect('knowledge/a.md', 'intro\nThe lawyer reviewed the agreement.\n');
    fixture.writeDirect('knowledge/b.md', 'The kitten chased a sparrow.\n');
    const response = await fixture.server.json(
      'GET',
      '/api/retrieval/search?domain=knowledge&q=attorney%20contract&top_k=1',
    );
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({
      query: 'attorney contract',
      domain: 'knowledge',
      results: [
        {
          text: 'intro\nThe lawyer reviewed the agreement.\n',
          score: expect.any(Number),
          source: 'knowledge/a.md',
          start_line: 1,
          end_line: 3,
          domain: 'knowledge',
        },
      ],
      partial: false,
      pending: [],
    });
  });

  it('rejects bad input with the error envelope', async () => {
    await using fixture = await startRetrievalFixture();
    const cases: [string, number, string][] = [
      ['/api/retrieval/search?domain=knowledge', 422, 'validation_error'],
      ['/api/retrieval/search?domain=secrets&q=x', 422, 'validation_error'],
      ['/api/retrieval/search?domain=memory&q=%20%20', 422, 'validation_error'],
      ['/api/retrieval/search?domain=memory&q=x&top_k=0', 422, 'validation_error'],
      ['/api/retrieval/search?domain=memory&q=x&top_k=abc', 422, 'validation_error'],
      ['/api/retrieval/search?domain=memory&q=x&agent_id=nobody', 404, 'not_found'],
      ['/api/retrieval/search?domain=memory&q=x&agent_id=..%2Fetc', 400, 'invalid_request'],
      ['/api/retrieval/status?agent_id=nobody', 404, 'not_found'],
    ];
    for (const [path, status, code] of cases) {
      const response = await fixture.server.json('GET', path);
      expect([path, response.status, response.body.error?.code]).toEqual([path, status, code]);
      expect(response.body.error.request_id).toEqual(expect.any(String));
    }
    const reindex = await fixture.server.json('POST', '/api/retrieval/reindex?agent_id=nobody');
    expect(reindex.status).toBe(404);
  });

  it('is documented in the OpenAPI document', async () => {
    await using fixture = await startRetrievalFixture();
    const spec = (await fixture.server.json('GET', '/openapi.json')).body;
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/retrieval/status', '/api/retrieval/reindex', '/api/retrieval/search']),
    );
    expect(spec.paths['/api/retrieval/search'].get.tags).toEqual(['retrieval']);
  });

  it('refreshes after a write through the files API and indexes another agent separately', async () => {
    await using fixture = await startRetrievalFixture();
    await fixture.server.json('POST', '/api/agents', { agent_id: 'helper' });
    await fixture.server.json('POST', '/api/files?agent_id=helper', {
      path: 'knowledge/only-here.md',
      content: 'The glacier melted.\n',
    });
    // The status endpoint never indexes: only the files API's change notice can fill the index here.
    const deadline = Date.now() + 5000;
    while ((await fixture.status('helper')).domains.knowledge.vectors !== 1) {
      if (Date.now() > deadline) throw new Error('the write was not indexed in the background');
      await Bun.sleep(5);
    }
    const hits = await fixture.search('knowledge', 'glacier', { agent_id: 'helper' });
    expect(hits.map((hit: any) => hit.source)).toEqual(['knowledge/only-here.md']);
    expect(await fixture.search('knowledge', 'glacier')).toEqual([]);
  });

  it('closes an agent index when the agent is deleted', async () => {
    await using fixture = await startRetrievalFixture();
    await fixture.server.json('POST', '/api/agents', { agent_id: 'temp' });
    fixture.writeDirect('knowledge/a.md', 'The glacier melted.\n', 'temp');
    expect((await fixture.search('knowledge', 'glacier', { agent_id: 'temp' })).length).toBe(1);
    expect((await fixture.server.json('DELETE', '/api/agents/temp')).status).toBe(200);
    expect((await fixture.server.json('GET', '/api/retrieval/status?agent_id=temp')).status).toBe(404);
    await fixture.server.json('POST', '/api/agents', { agent_id: 'temp' });
    expect(await fixture.search('knowledge', 'glacier', { agent_id: 'temp' })).toEqual([]);
  });

  it('keeps no pass counts of a deleted agent: one made anew under its id counts from its own first pass', async () => {
    await using fixture = await startRetrievalFixture();
    const passes = () => fixture.server.deps.retrieval.passes('temp');
    await fixture.server.json('POST', '/api/agents', { agent_id: 'temp' });
    for (const q of ['glacier', 'melted']) await fixture.search('knowledge', q, { agent_id: 'temp' });
    await fixture.server.deps.retrieval.idle();
    expect(passes().knowledge.started).toBeGreaterThan(1);
    expect((await fixture.server.json('DELETE', '/api/agents/temp')).status).toBe(200);
    await fixture.server.json('POST', '/api/agents', { agent_id: 'temp' });
    // Before, counts were kept by agent id for the process's life, each agent ever made and deleted leaving its own.
    await waitFor(() => (passes().knowledge.started >= 1 ? true : undefined));
    await fixture.server.deps.retrieval.idle();
    const once = { requested: 1, started: 1 };
    expect(passes()).toEqual({ memory: once, knowledge: once, reindex: { requested: 0, started: 0 } });
  });

  it('GET /search finds every file holding a one-word query, however long each file is', async () => {
    await using fixture = await startRetrievalFixture();
    const filler = (words: number) => 'grass and sky '.repeat(words);
    for (const [name, words] of [
      ['f1', 0],
      ['f2', 2],
      ['f3', 5],
      ['f4', 12],
      ['f5', 25],
    ] as const)
      fixture.writeDirect(`knowledge/${name}.md`, `A zebra. ${filler(words)}\n`);
    fixture.writeDirect('knowledge/other.md', 'Nothing striped here.\n');
    const response = await fixture.server.json('GET', '/api/retrieval/search?domain=knowledge&q=zebra&top_k=10');
    const sources = response.body.data.results.map((hit: any) => hit.source).sort();
    expect(sources).toEqual([
      'knowledge/f1.md',
      'knowledge/f2.md',
      'knowledge/f3.md',
      'knowledge/f4.md',
      'knowledge/f5.md',
    ]);
  });
});
