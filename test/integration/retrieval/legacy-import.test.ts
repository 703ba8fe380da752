import { describe, expect, it } from 'bun:test';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONCEPTS } from '../../../bench/retrieval-eval/concepts';
import { createConceptEmbedder } from '../../support/concept-embedder';
import { startFakeOpenAiServer } from '../../support/fake-openai-server';
import { startRetrievalFixture } from '../../support/retrieval-fixture';
import { startTestServer } from '../../support/start-test-server';
import { makeTempDir } from '../../support/temp-dir';

describe('legacy JSON index import', () => {
  it("imports the original's memory and knowledge vectors on first use, so unchanged texts are not embedded again", async () => {
    using data = makeTempDir('moc-legacy-');
    await (await startTestServer({ dataDir: data.path, env: { EMBEDDING_PROVIDER: 'none' } })).stop();
    const root = join(data.path, 'workspaces', 'default');
    rmSync(join(root, 'storage', 'retrieval.db'), { force: true });
    rmSync(join(root, 'storage', 'retrieval.db-wal'), { force: true });
    rmSync(join(root, 'storage', 'retrieval.db-shm'), { force: true });
    const embed = createConceptEmbedder(CONCEPTS);
    const memoryText = 'The user drives an automobile to work.\n';
    const knowledgeText = 'Physician appointments are on Mondays.\n';
    writeFileSync(join(root, 'memory', 'MEMORY.md'), memoryText);
    mkdirSync(join(root, 'knowledge'), { recursive: true });
    writeFileSync(join(root, 'knowledge', 'health.md'), knowledgeText);
    mkdirSync(join(root, 'storage', 'memory_index'), { recursive: true });
    mkdirSync(join(root, 'storage', 'knowledge_index'), { recursive: true });
    writeFileSync(
      join(root, 'storage', 'memory_index', 'index.json'),
      JSON.stringify({
        digest: 'legacy',
        chunk_size: 256,
        chunk_overlap: 32,
        chunks: [memoryText],
        source: 'memory/MEMORY.md',
        embedding_provider: 'openai',
        embedding_model: 'fake-embed',
        embeddings: [embed(memoryText)],
        embedding_error: '',
      }),
    );
    writeFileSync(
      join(root, 'storage', 'knowledge_index', 'index.json'),
      JSON.stringify({
        digest: 'legacy',
        embedding_provider: 'openai',
        embedding_model: 'fake-embed',
        rows: [{ source: 'knowledge/health.md', text: knowledgeText, embedding: embed(knowledgeText) }, 'not a row'],
      }),
    );

    await using model = await startFakeOpenAiServer();
    model.setEmbedder(embed);
    await using fixture = await startRetrievalFixture({ dataDir: data.path, model });
    const memoryHits = await fixture.search('memory', 'vehicle');
    expect(memoryHits[0]).toEqual(expect.objectContaining({ source: 'memory/MEMORY.md', text: memoryText }));
    expect((await fixture.search('knowledge', 'doctor'))[0].source).toBe('knowledge/health.md');
    const status = await fixture.status();
    expect(status.domains.memory).toEqual(expect.objectContaining({ legacy_vectors_imported: 1, vectors: 1 }));
    expect(status.domains.knowledge).toEqual(expect.objectContaining({ legacy_vectors_imported: 1, vectors: 1 }));
    expect(model.embeddedTexts()).not.toContain(memoryText);
    expect(model.embeddedTexts()).not.toContain(knowledgeText);
  });

  it('ignores a malformed legacy file', async () => {
    using data = makeTempDir('moc-legacy-');
    await (await startTestServer({ dataDir: data.path, env: { EMBEDDING_PROVIDER: 'none' } })).stop();
    const root = join(data.path, 'workspaces', 'default');
    rmSync(join(root, 'storage', 'retrieval.db'), { force: true });
    mkdirSync(join(root, 'storage', 'memory_index'), { recursive: true });
    writeFileSync(join(root, 'storage', 'memory_index', 'index.json'), '{not json');
    await using fixture = await startRetrievalFixture({ dataDir: data.path });
    writeFileSync(join(root, 'memory', 'MEMORY.md'), 'Coffee every morning.\n');
    expect((await fixture.search('memory', 'coffee'))[0].source).toBe('memory/MEMORY.md');
    expect((await fixture.status()).domains.memory.legacy_vectors_imported).toBe(0);
  });
});
