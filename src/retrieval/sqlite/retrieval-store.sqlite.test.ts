// Both retrieval index engines against the RetrievalStore contract: a SQLite file and the JSON file's in-memory database.
import { describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../../test/support/temp-dir';
import { RETRIEVAL_SCHEMA_VERSION } from '../retrieval-records';
import { describeRetrievalStoreContract } from '../retrieval-store.contract';
import { openSqliteIndex } from './open-index';

for (const engine of ['sqlite', 'json'] as const) {
  describeRetrievalStoreContract(engine, (identity) => {
    const temp = makeTempDir('moc-index-');
    const storage = openSqliteIndex(
      engine,
      join(temp.path, engine === 'json' ? 'retrieval.json' : 'retrieval.db'),
      identity,
    );
    return {
      store: storage.store,
      close() {
        storage.close();
        temp[Symbol.dispose]();
      },
    };
  });
}

describe('a damaged index file', () => {
  it('is discarded and the index starts empty, for either engine, instead of failing every open', () => {
    using temp = makeTempDir('moc-index-damaged-');
    const sqlitePath = join(temp.path, 'retrieval.db');
    writeFileSync(sqlitePath, 'garbage, not a database '.repeat(200));
    const sqlite = openSqliteIndex('sqlite', sqlitePath, null);
    expect(sqlite.store.counts('knowledge')).toEqual({ sources: 0, chunks: 0, vectors: 0 });
    sqlite.close();
    const jsonPath = join(temp.path, 'retrieval.json');
    const chunk = { id: 1, domain: 'knowledge', source_path: 'knowledge/a.md', text: null };
    writeFileSync(
      jsonPath,
      JSON.stringify({ format: 'mini-openclaw-retrieval', schema_version: RETRIEVAL_SCHEMA_VERSION, chunks: [chunk] }),
    );
    const json = openSqliteIndex('json', jsonPath, null);
    expect(json.store.counts('knowledge')).toEqual({ sources: 0, chunks: 0, vectors: 0 });
    json.close();
  });
});
