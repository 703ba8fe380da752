// A Map used as a least-recently-used cache: a hit moves to the back, a miss is built and stored, the oldest goes past the limit.

/** The value under `key` in `cache` (touched), or `build()`'s, stored; past `limit` entries the least recently used is dropped. */
export function lruCached<V>(cache: Map<string, V>, key: string, limit: number, build: () => V): V {
  if (cache.has(key)) {
    const hit = cache.get(key) as V;
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const built = build();
  cache.set(key, built);
  if (cache.size > limit) cache.delete(cache.keys().next().value!);
  return built;
}
