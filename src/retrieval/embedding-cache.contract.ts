// The behaviour every SharedEmbeddingCache adapter must show; each adapter's test runs this suite against it.
import { describe, expect, it } from 'bun:test';
import type { SharedEmbeddingCache } from './embedding-cache.port';

const openai = { provider: 'openai' as const, model: 'text-embedding-3-small' };
const other = { provider: 'openai' as const, model: 'text-embedding-3-large' };
const vector = (...values: number[]) => new Float32Array(values);

export function describeEmbeddingCacheContract(
  adapter: string,
  make: () => SharedEmbeddingCache | Promise<SharedEmbeddingCache>,
): void {
  describe(`SharedEmbeddingCache contract (${adapter})`, () => {
    it('gives back the vectors it was given, bit for bit, per identity, and nothing for unknown hashes', async () => {
      const cache = await make();
      await cache.put(openai, [
        { textHash: 'a', vector: vector(0.1, -2.5, 3e-8) },
        { textHash: 'b', vector: vector(1, 2, 3) },
      ]);
      const found = await cache.get(openai, ['a', 'b', 'missing']);
      expect([...found.keys()].sort()).toEqual(['a', 'b']);
      expect(found.get('a')).toEqual(vector(0.1, -2.5, 3e-8));
      expect(found.get('b')).toEqual(vector(1, 2, 3));
      expect((await cache.get(other, ['a'])).size).toBe(0);
      expect((await cache.get(openai, [])).size).toBe(0);
    });

    it('keeps the first vector of a hash stored twice (two replicas embedding at once)', async () => {
      const cache = await make();
      await cache.put(openai, [{ textHash: 'twice', vector: vector(1) }]);
      await cache.put(openai, [
        { textHash: 'twice', vector: vector(2) },
        { textHash: 'new', vector: vector(3) },
      ]);
      const found = await cache.get(openai, ['twice', 'new']);
      expect([found.get('twice'), found.get('new')]).toEqual([vector(1), vector(3)]);
    });
  });
}
