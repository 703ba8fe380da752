import { describe, expect, it } from 'bun:test';
import { buildVectorIndex } from './vector-index';
import { loadVectorIndex } from './vector-load';

/** Vectors of chunk ids 1..count (every third id missing), four dimensions each. */
function vectors(count: number): [number, Float32Array][] {
  return Array.from({ length: count }, (_, index) => [
    index * 3 + 1,
    new Float32Array([Math.sin(index), Math.cos(index), (index % 7) - 3, 1]),
  ]);
}

/** A store's paging over `entries` (in id order), counting the pages read. */
function pagedStore(entries: [number, Float32Array][]) {
  const store = {
    pages: 0,
    vectorsAfter(_domain: string, afterId: number, limit: number) {
      store.pages += 1;
      return entries.filter(([id]) => id > afterId).slice(0, limit);
    },
  };
  return store;
}

describe('loadVectorIndex', () => {
  it('builds in pages the index a build in one go gives, and gives the thread back between them', async () => {
    const entries = vectors(50);
    const store = pagedStore(entries);
    let queuedRan = false;
    setImmediate(() => {
      queuedRan = true;
    });
    const ranBetween: boolean[] = [];
    const index = await loadVectorIndex(
      store,
      'knowledge',
      () => {
        ranBetween.push(queuedRan);
        return false;
      },
      0,
      8,
    );
    // 50 vectors in pages of 8: six full pages, a slice after each, then the short seventh.
    expect(store.pages).toBe(7);
    expect(ranBetween).toEqual([true, true, true, true, true, true]);
    const whole = buildVectorIndex(entries);
    expect([index.size, index.dims]).toEqual([whole.size, whole.dims]);
    const query = new Float32Array([0.3, -0.2, 1, 1]);
    const exact = (ids: number[]) => new Map(entries.filter(([id]) => ids.includes(id)));
    expect(index.search(query, 5, 10, exact)).toEqual(whole.search(query, 5, 10, exact));
  });

  it('ends with an error at the next slice once its index has closed', async () => {
    const store = pagedStore(vectors(50));
    let slices = 0;
    const loading = loadVectorIndex(store, 'knowledge', () => ++slices === 2, 0, 8);
    await expect(loading).rejects.toThrow('the retrieval index closed while its vectors were loading');
    expect(store.pages).toBe(2);
  });
});
