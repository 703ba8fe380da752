import { describe, expect, it } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeTempDir } from '../../test/support/temp-dir';
import { openDatabase } from '../db/open-database';
import { importLegacyIndex, LEGACY_INDEX_PATHS } from './legacy-import';
import { sha256 } from './retrieval-indexer';
import { RETRIEVAL_DB_MIGRATIONS } from './sqlite/retrieval-db.schema';
import { createSqliteRetrievalStore } from './sqlite/retrieval-store.sqlite';

const identity = { provider: 'openai' as const, model: 'fake-embed' };

describe("importing the original's JSON index", () => {
  it('keeps each vector whole: a value float32 cannot hold is 0, a vector with a non-number in it is skipped', () => {
    using temp = makeTempDir();
    const file = join(temp.path, LEGACY_INDEX_PATHS.memory);
    mkdirSync(dirname(file), { recursive: true });
    const texts = ['huge value', 'a string in it', 'plain'];
    writeFileSync(
      file,
      JSON.stringify({
        embedding_provider: 'openai',
        embedding_model: 'fake-embed',
        chunks: texts,
        embeddings: [
          [0.5, 1e39, 0.25],
          [0.5, 'x', 0.25],
          [0.5, 0.75, 0.25],
        ],
      }),
    );
    const store = createSqliteRetrievalStore(openDatabase(':memory:', RETRIEVAL_DB_MIGRATIONS), identity);
    expect(importLegacyIndex(store, temp.path, 'memory', 0)).toBe(2);
    const cached = store.cachedVectors(identity, texts.map(sha256));
    // 1e39 became Infinity in a Float32Array, and one Infinity flattens every search's vector leg (NaN cosines);
    // dropping the string shifted the third value into the second dimension.
    expect([...cached.get(sha256('huge value'))!]).toEqual([0.5, 0, 0.25]);
    expect(cached.has(sha256('a string in it'))).toBe(false);
    expect([...cached.get(sha256('plain'))!]).toEqual([0.5, 0.75, 0.25]);
  });
});
