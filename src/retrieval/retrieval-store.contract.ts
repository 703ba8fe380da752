// The behaviour every RetrievalStore adapter must show; each adapter's test runs this suite against it.
import { describe, expect, it } from 'bun:test';
import type { EmbeddingIdentity } from './embedding-client';
import { RETRIEVAL_SCHEMA_VERSION, type ChunkRecord } from './retrieval-records';
import type { RetrievalStore } from './retrieval-store.port';

const IDENTITY: EmbeddingIdentity = { provider: 'openai', model: 'text-embedding-3-small' };
const OTHER: EmbeddingIdentity = { provider: 'openai', model: 'other-model' };
const chunk = (text: string, startLine = 1): ChunkRecord => ({
  startLine,
  endLine: startLine + 1,
  text,
  textHash: `hash:${text}`,
});
const source = (path: string, contentHash = 'c1') => ({ path, contentHash, size: 10, mtimeMs: 5 });
const vector = (...values: number[]) => Float32Array.from(values);

/** `make(identity)` opens a fresh, empty index whose chunk vectors are those of `identity`. */
export function describeRetrievalStoreContract(
  adapter: string,
  make: (identity: EmbeddingIdentity | null) => { store: RetrievalStore; close(): void },
): void {
  const withStore =
    (test: (store: RetrievalStore) => void, identity: EmbeddingIdentity | null = IDENTITY) =>
    () => {
      const { store, close } = make(identity);
      try {
        test(store);
      } finally {
        close();
      }
    };

  describe(`RetrievalStore contract (${adapter}): sources and chunks`, () => {
    it(
      'replaces a source with its chunks, reporting removed and added chunk ids; sources by path',
      withStore((store) => {
        const first = store.replaceSource('memory', source('memory/b.md'), [chunk('alpha beta'), chunk('gamma', 3)], 1);
        expect(first.removed).toEqual([]);
        expect(first.added).toHaveLength(2);
        store.replaceSource('memory', source('memory/a.md'), [chunk('delta')], 1);
        const second = store.replaceSource('memory', source('memory/b.md', 'c2'), [chunk('epsilon')], 2);
        expect(second.removed).toEqual(first.added);
        expect(store.sources('memory')).toEqual([source('memory/a.md'), source('memory/b.md', 'c2')]);
        expect(store.sources('knowledge')).toEqual([]);
        const [added] = second.added;
        expect(store.chunksByIds([added!, 999_999])).toEqual(
          new Map([[added!, { id: added!, path: 'memory/b.md', startLine: 1, endLine: 2, text: 'epsilon' }]]),
        );
        expect(store.counts('memory')).toEqual({ sources: 2, chunks: 2, vectors: 0 });
      }),
    );

    it(
      'touches, deletes and clears, one domain at a time',
      withStore((store) => {
        store.replaceSource('knowledge', source('knowledge/k.md'), [chunk('kept')], 1);
        const { added } = store.replaceSource('memory', source('memory/m.md'), [chunk('one'), chunk('two')], 1);
        store.touchSource('memory', { ...source('memory/m.md'), size: 99, mtimeMs: 7 });
        expect(store.sources('memory')).toEqual([{ ...source('memory/m.md'), size: 99, mtimeMs: 7 }]);
        expect(store.deleteSource('memory', 'memory/m.md').sort()).toEqual([...added].sort());
        expect(store.deleteSource('memory', 'memory/none.md')).toEqual([]);
        store.replaceSource('memory', source('memory/n.md'), [chunk('three')], 1);
        store.setMeta('memory', meta(1));
        store.clearDomain('memory');
        expect([store.sources('memory'), store.meta('memory'), store.counts('memory')]).toEqual([
          [],
          null,
          { sources: 0, chunks: 0, vectors: 0 },
        ]);
        expect(store.counts('knowledge')).toEqual({ sources: 1, chunks: 1, vectors: 0 });
      }),
    );

    it(
      'keeps the index meta per domain',
      withStore((store) => {
        expect(store.meta('memory')).toBeNull();
        store.setMeta('memory', meta(1));
        store.setMeta('memory', meta(2));
        expect(store.meta('memory')).toEqual(meta(2));
        expect(store.meta('knowledge')).toBeNull();
      }),
    );

    it(
      'runs a batch of writes as one',
      withStore((store) => {
        store.batch(() => {
          store.replaceSource('memory', source('memory/a.md'), [chunk('a')], 1);
          store.batch(() => store.replaceSource('memory', source('memory/b.md'), [chunk('b')], 1));
        });
        expect(store.counts('memory').sources).toBe(2);
      }),
    );
  });

  describe(`RetrievalStore contract (${adapter}): search and vectors`, () => {
    it(
      'ranks keyword matches by bm25 (lower is better) and answers an invalid query with nothing',
      withStore((store) => {
        const { added } = store.replaceSource(
          'knowledge',
          source('knowledge/a.md'),
          [chunk('apple apple apple pie'), chunk('apple tart and many other words here'), chunk('pear')],
          1,
        );
        const hits = store.keywordSearch('knowledge', 'apple', 10);
        expect(hits.map((hit) => hit.id)).toEqual(added.slice(0, 2));
        expect(hits[0]!.bm25).toBeLessThan(hits[1]!.bm25);
        expect(store.keywordSearch('knowledge', 'apple', 1)).toHaveLength(1);
        expect(store.keywordSearch('memory', 'apple', 10)).toEqual([]);
        expect(store.keywordSearch('knowledge', '"unbalanced', 10)).toEqual([]);
        expect(store.keywordSearch('knowledge', '', 10)).toEqual([]);
      }),
    );

    it(
      'reads chunk vectors from the embedding cache of its identity only',
      withStore((store) => {
        const { added } = store.replaceSource(
          'memory',
          source('memory/a.md'),
          [chunk('one'), chunk('two'), chunk('three')],
          1,
        );
        store.cacheVectors(
          IDENTITY,
          [
            { textHash: 'hash:one', vector: vector(1, 0) },
            { textHash: 'hash:three', vector: vector(0, 1) },
          ],
          1,
        );
        store.cacheVectors(OTHER, [{ textHash: 'hash:two', vector: vector(5, 5) }], 1);
        expect(store.counts('memory').vectors).toBe(2);
        expect(store.chunksWithoutVectors('memory')).toEqual([{ id: added[1]!, text: 'two', textHash: 'hash:two' }]);
        expect(store.vectorsOf(added)).toEqual(
          new Map([
            [added[0]!, vector(1, 0)],
            [added[2]!, vector(0, 1)],
          ]),
        );
        expect([...store.iterateVectors('memory')]).toEqual([
          [added[0]!, vector(1, 0)],
          [added[2]!, vector(0, 1)],
        ]);
        // The same, a page at a time.
        expect(store.vectorsAfter('memory', -1, 1)).toEqual([[added[0]!, vector(1, 0)]]);
        expect(store.vectorsAfter('memory', added[0]!, 5)).toEqual([[added[2]!, vector(0, 1)]]);
        expect(store.vectorsAfter('memory', added[2]!, 5)).toEqual([]);
        expect(store.cachedVectors(OTHER, ['hash:two', 'hash:one'])).toEqual(new Map([['hash:two', vector(5, 5)]]));
        expect(store.cachedHashes(IDENTITY, ['hash:one', 'hash:two', 'hash:one'])).toEqual(new Set(['hash:one']));
      }),
    );

    it(
      'keeps the first vector cached for a text, and prunes what no chunk of its identity uses',
      withStore((store) => {
        store.replaceSource('memory', source('memory/a.md'), [chunk('used')], 1);
        store.cacheVectors(
          IDENTITY,
          [
            { textHash: 'hash:used', vector: vector(1) },
            { textHash: 'hash:unused', vector: vector(2) },
          ],
          1,
        );
        store.cacheVectors(IDENTITY, [{ textHash: 'hash:used', vector: vector(9) }], 2);
        store.cacheVectors(OTHER, [{ textHash: 'hash:used', vector: vector(3) }], 1);
        expect(store.cachedVectors(IDENTITY, ['hash:used']).get('hash:used')).toEqual(vector(1));
        store.pruneCache();
        expect(store.cachedHashes(IDENTITY, ['hash:used', 'hash:unused'])).toEqual(new Set(['hash:used']));
        expect(store.cachedHashes(OTHER, ['hash:used'])).toEqual(new Set());
      }),
    );

    it(
      'has no chunk vectors without an identity (keyword-only)',
      withStore((store) => {
        store.replaceSource('memory', source('memory/a.md'), [chunk('one')], 1);
        store.cacheVectors(IDENTITY, [{ textHash: 'hash:one', vector: vector(1) }], 1);
        expect(store.counts('memory').vectors).toBe(0);
        expect(store.chunksWithoutVectors('memory')).toHaveLength(1);
      }, null),
    );
  });
}

function meta(updatedMs: number) {
  return {
    digest: `d${updatedMs}`,
    schemaVersion: RETRIEVAL_SCHEMA_VERSION,
    chunkSize: 400,
    chunkOverlap: 80,
    embeddingProvider: 'openai',
    embeddingModel: 'text-embedding-3-small',
    embeddingDims: 2,
    updatedMs,
  };
}
