import { describe, expect, it } from 'bun:test';
import { lruCached } from './lru-cache';

describe('lruCached', () => {
  it('builds once per key, keeps what was used last, and drops the least recently used past the limit', () => {
    const cache = new Map<string, number>();
    let builds = 0;
    const get = (key: string) => lruCached(cache, key, 2, () => ++builds);
    expect([get('a'), get('b'), get('a')]).toEqual([1, 2, 1]);
    get('c'); // drops b, the least recently used
    expect([...cache.keys()]).toEqual(['a', 'c']);
    expect(get('b')).toBe(4);
    expect([...cache.keys()]).toEqual(['c', 'b']);
  });
});
