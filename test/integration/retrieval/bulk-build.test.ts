// A large build writes in bulk mode (no syncing); an index left in that state by a crash is discarded and rebuilt.
import { describe, expect, it } from 'bun:test';
import { Database } from 'bun:sqlite';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BULK_WRITE_CHUNKS } from '../../../src/retrieval/retrieval-indexer';
import { startFakeOpenAiServer } from '../../support/fake-openai-server';
import { startRetrievalFixture } from '../../support/retrieval-fixture';
import { makeTempDir } from '../../support/temp-dir';

const LINES = BULK_WRITE_CHUNKS + 100;
const corpus = () =>
  Array.from({ length: LINES }, (_, line) => `Line ${line} of the bulk corpus, about harbour number ${line}.`).join(
    '\n',
  );

describe('bulk builds of the retrieval index', () => {
  it('indexes a large corpus completely, leaves no bulk marker, and rebuilds an index a crash left mid-bulk', async () => {
    using data = makeTempDir('moc-bulk-');
    await using model = await startFakeOpenAiServer();
    const dbPath = join(data.path, 'workspaces', 'default', 'storage', 'retrieval.db');
    {
      await using fixture = await startRetrievalFixture({ dataDir: data.path, model });
      await fixture.server.json('PUT', '/api/config/runtime', {
        config: { retrieval: { knowledge: { chunk_size: 64, chunk_overlap: 0 } } },
      });
      fixture.writeDirect('knowledge/bulk.md', corpus());
      const hits = await fixture.search('knowledge', 'harbour 2042');
      expect(hits[0].text).toContain('harbour number 2042');
      const status = await fixture.status();
      expect(status.domains.knowledge.chunks).toBeGreaterThanOrEqual(LINES);
      expect(status.domains.knowledge.vectors).toBe(status.domains.knowledge.chunks);
      expect(existsSync(`${dbPath}.bulk-build`)).toBe(false);
    }
    // What a power loss during a bulk build leaves: the marker, and an index that cannot be trusted.
    {
      using db = new Database(dbPath);
      db.exec(
        "INSERT INTO sources (domain, path, content_hash, size, mtime_ms, indexed_at) VALUES ('knowledge', 'knowledge/ghost.md', 'x', 1, 1, 1)",
      );
    }
    writeFileSync(`${dbPath}.bulk-build`, '');
    const embeddedBefore = model.embeddedTexts().length;
    await using fixture = await startRetrievalFixture({ dataDir: data.path, model });
    const hits = await fixture.search('knowledge', 'harbour 7');
    expect(hits.some((hit: any) => hit.source === 'knowledge/ghost.md')).toBe(false);
    expect(existsSync(`${dbPath}.bulk-build`)).toBe(false);
    const status = await fixture.status();
    expect(status.domains.knowledge.sources).toBe(1);
    expect(status.domains.knowledge.vectors).toBe(status.domains.knowledge.chunks);
    // The rebuild re-embedded the corpus (the discarded file held the embedding cache too).
    expect(model.embeddedTexts().length - embeddedBefore).toBeGreaterThanOrEqual(LINES);
    {
      using db = new Database(dbPath, { readonly: true });
      expect(db.query('SELECT count(*) AS n FROM sources WHERE path = ?').get('knowledge/ghost.md')).toEqual({ n: 0 });
    }
  });
});
