import { describe, expect, it } from 'bun:test';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import corpus from '../../fixtures/retrieval-eval/corpus.json';
import queriesFile from '../../fixtures/retrieval-eval/queries.json';
import { startFakeOpenAiServer } from '../../support/fake-openai-server';
import { createConceptEmbedder } from '../../support/concept-embedder';
import conceptsFile from '../../fixtures/retrieval-eval/concepts.json';
import { startRetrievalFixture, type RetrievalFixture } from '../../support/retrieval-fixture';
import { makeTempDir } from '../../support/temp-dir';

const tokens = (text: string) =>
  new Set(
    text
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean),
  );
const paraphrases = queriesFile.queries.filter((query) => query.kind === 'paraphrase');

function writeCorpus(fixture: RetrievalFixture, agentId: string) {
  for (const document of corpus.documents) fixture.writeDirect(document.path, document.text, agentId);
}

describe('retrieval evaluation set', () => {
  it('has at least 300 documents, 60 queries, and paraphrases sharing no word with their answer', () => {
    expect(corpus.documents.length).toBeGreaterThanOrEqual(300);
    expect(queriesFile.queries.length).toBeGreaterThanOrEqual(60);
    expect(new Set(queriesFile.queries.map((query) => query.kind))).toEqual(
      new Set(['paraphrase', 'code', 'misspelling', 'many_terms', 'exact']),
    );
    expect(paraphrases.length).toBeGreaterThanOrEqual(10);
    for (const query of paraphrases) {
      const answer = corpus.documents.find((document) => document.path === query.relevant[0])!;
      expect([...tokens(query.query)].filter((token) => tokens(answer.text).has(token))).toEqual([]);
    }
  });

  it('finds zero-overlap paraphrases by hybrid search, and the json engine gives the same results as sqlite', async () => {
    using data = makeTempDir('moc-eval-');
    await using model = await startFakeOpenAiServer();
    model.setEmbedder(createConceptEmbedder(conceptsFile.concepts));
    await using fixture = await startRetrievalFixture({ dataDir: data.path, model });
    await fixture.server.json('POST', '/api/agents', { agent_id: 'jsonagent' });
    const put = await fixture.server.json('PUT', '/api/config/runtime?agent_id=jsonagent', {
      config: { retrieval: { storage: { engine: 'json' } } },
    });
    expect(put.status).toBe(200);
    writeCorpus(fixture, 'default');
    writeCorpus(fixture, 'jsonagent');

    const first = paraphrases[0]!;
    expect((await fixture.search('knowledge', first.query, { top_k: '5' })).map((hit: any) => hit.source)).toContain(
      first.relevant[0],
    );
    let found = 0;
    for (const query of paraphrases) {
      const hits = await fixture.search('knowledge', query.query, { top_k: '5' });
      if (hits.some((hit: any) => query.relevant.includes(hit.source))) found += 1;
    }
    expect(found / paraphrases.length).toBeGreaterThanOrEqual(0.9);

    const answers: any[][] = [];
    for (const query of queriesFile.queries) {
      const sqlite = await fixture.search('knowledge', query.query);
      const json = await fixture.search('knowledge', query.query, { agent_id: 'jsonagent' });
      expect(json).toEqual(sqlite);
      answers.push(json);
    }
    const status = await fixture.status('jsonagent');
    expect(status.engine).toBe('json');
    expect(status.domains.knowledge.chunks).toBe(corpus.documents.length);
    expect(existsSync(join(data.path, 'workspaces', 'jsonagent', 'storage', 'retrieval.json'))).toBe(true);

    // After a restart the json index is read back: no document is embedded again (the json engine does
    // not persist query vectors, so queries are) and the answers are unchanged.
    await fixture.server.stop();
    await using again = await startRetrievalFixture({ dataDir: data.path, model });
    const embeddedBefore = model.embeddedTexts().length;
    for (const [index, query] of queriesFile.queries.entries()) {
      expect(await again.search('knowledge', query.query, { agent_id: 'jsonagent' })).toEqual(answers[index]!);
    }
    const documentTexts = new Set(corpus.documents.map((document) => document.text));
    expect(
      model
        .embeddedTexts()
        .slice(0, embeddedBefore)
        .filter((text) => documentTexts.has(text)).length,
    ).toBeGreaterThanOrEqual(corpus.documents.length);
    expect(
      model
        .embeddedTexts()
        .slice(embeddedBefore)
        .filter((text) => documentTexts.has(text)),
    ).toEqual([]);
  });
});
