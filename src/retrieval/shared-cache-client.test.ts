// The shared-cache client: the provider sees only texts nobody embedded, in order; a broken cache never fails a call.
import { describe, expect, it } from 'bun:test';
import { silentLogger } from '../shared/logger';
import type { SharedEmbeddingCache } from './embedding-cache.port';
import type { EmbeddingClient } from './embedding-client';
import { withSharedEmbeddingCache } from './shared-cache-client';

const identity = { provider: 'openai' as const, model: 'm' };

function fakeProvider(): EmbeddingClient & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    identity,
    calls,
    async embed(texts) {
      calls.push(texts);
      return texts.map((text) => new Float32Array([text.length]));
    },
  };
}

function memoryCache(): SharedEmbeddingCache {
  const stored = new Map<string, Float32Array>();
  return {
    get: async (_identity, hashes) =>
      new Map(hashes.flatMap((hash) => (stored.has(hash) ? [[hash, stored.get(hash)!]] : []))),
    put: async (_identity, entries) => {
      for (const entry of entries) if (!stored.has(entry.textHash)) stored.set(entry.textHash, entry.vector);
    },
  };
}

describe('withSharedEmbeddingCache', () => {
  it('embeds each distinct text once across clients sharing the cache, answering in the order asked', async () => {
    const cache = memoryCache();
    const first = fakeProvider();
    const second = fakeProvider();
    expect(await withSharedEmbeddingCache(first, cache, silentLogger).embed(['a', 'bb', 'a'])).toEqual([
      new Float32Array([1]),
      new Float32Array([2]),
      new Float32Array([1]),
    ]);
    expect(first.calls).toEqual([['a', 'bb']]);
    expect(await withSharedEmbeddingCache(second, cache, silentLogger).embed(['bb', 'ccc'])).toEqual([
      new Float32Array([2]),
      new Float32Array([3]),
    ]);
    expect(second.calls).toEqual([['ccc']]);
  });

  it('embeds everything when the cache cannot be read or written', async () => {
    const broken: SharedEmbeddingCache = {
      get: async () => {
        throw new Error('database down');
      },
      put: async () => {
        throw new Error('database down');
      },
    };
    const provider = fakeProvider();
    expect(await withSharedEmbeddingCache(provider, broken, silentLogger).embed(['x', 'yy'])).toEqual([
      new Float32Array([1]),
      new Float32Array([2]),
    ]);
    expect(provider.calls).toEqual([['x', 'yy']]);
  });
});
