// The indexer over a real SQLite index and real files: what one pass reads at once.
import { describe, expect, it } from 'bun:test';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../test/support/temp-dir';
import { EmbeddingError } from './embedding-client';
import { MISSING_PAGE, syncDomain } from './retrieval-indexer';
import type { RetrievalStore } from './retrieval-store.port';
import { openSqliteIndex } from './sqlite/open-index';

const identity = { provider: 'openai', model: 'fake-embed' } as const;

describe('filling vectors an earlier pass left out', () => {
  it('reads the chunks without a vector a page at a time, and fills every one', async () => {
    using temp = makeTempDir('moc-indexer-');
    mkdirSync(join(temp.path, 'knowledge'));
    const lines = Array.from({ length: 3 * MISSING_PAGE }, (_, line) => `Line ${line} about harbour number ${line}.`);
    writeFileSync(join(temp.path, 'knowledge', 'notes.md'), lines.join('\n'));
    const storage = openSqliteIndex('sqlite', join(temp.path, 'retrieval.db'), identity);
    const read: number[] = [];
    const store: RetrievalStore = {
      ...storage.store,
      chunksWithoutVectors: (domain, page) => {
        const rows = storage.store.chunksWithoutVectors(domain, page);
        read.push(rows.length);
        return rows;
      },
    };
    const settings = { chunkSize: 48, chunkOverlap: 0 };
    const pass = (embed: (texts: string[]) => Promise<Float32Array[]>) =>
      syncDomain({
        store,
        agentRoot: temp.path,
        domain: 'knowledge',
        settings,
        embedder: { identity, embed },
        nowMs: 1,
      });
    // The provider is down for the first pass: the chunks are stored for keywords, without vectors.
    const failed = await pass(async () => {
      throw new EmbeddingError('embedding server answered 503', true, 'server_error', 503);
    });
    expect(failed.missingVectors).toBe(3 * MISSING_PAGE);
    const filled = await pass(async (texts) => texts.map((_, index) => Float32Array.from([1, index % 7, 2])));
    expect(filled.filledMissing).toBe(true);
    expect(storage.store.counts('knowledge')).toEqual({
      sources: 1,
      chunks: 3 * MISSING_PAGE,
      vectors: 3 * MISSING_PAGE,
    });
    // Before, the pass read all 3,072 texts at once (after an outage over a large build, gigabytes).
    expect(Math.max(...read)).toBe(MISSING_PAGE);
    storage.close();
  });
});

describe('a build whose index closes between its slices', () => {
  it('leaves no bulk marker, so the next open keeps the index and its embedding cache', async () => {
    using temp = makeTempDir('moc-indexer-close-');
    mkdirSync(join(temp.path, 'knowledge'));
    // Two files of over 4 M characters (a slice each) and about 1,100 chunks each: the second slice reaches 2,000.
    const text = (file: string) =>
      Array.from({ length: 80_000 }, (_, line) => `${file} line ${line}: the harbour keeps its lamps lit here.`).join(
        '\n',
      );
    writeFileSync(join(temp.path, 'knowledge', 'a.md'), text('a'));
    writeFileSync(join(temp.path, 'knowledge', 'b.md'), text('b'));
    const path = join(temp.path, 'retrieval.db');
    const storage = openSqliteIndex('sqlite', path, identity);
    let embedded = 0;
    const pass = syncDomain({
      store: storage.store,
      agentRoot: temp.path,
      domain: 'knowledge',
      settings: { chunkSize: 4000, chunkOverlap: 0 },
      embedder: {
        identity,
        async embed(texts) {
          // The agent is closed (evicted, stopped) while the pass waits between its first and second slice.
          if (embedded++ === 0) setImmediate(() => storage.close());
          return texts.map((_, index) => Float32Array.from([1, index % 7, 2]));
        },
      },
      nowMs: 1,
      bulkWrites: storage.bulkWrites,
    });
    // The pass fails at its next use of the closed index.
    await expect(pass).rejects.toThrow();
    // Before, the second slice began bulk mode on the closed index: its marker stayed, and the next open discarded
    // the index with every cached vector.
    expect(existsSync(`${path}.bulk-build`)).toBe(false);
    const reopened = openSqliteIndex('sqlite', path, identity);
    expect(reopened.store.counts('knowledge').vectors).toBeGreaterThan(0);
    reopened.close();
  });
});
