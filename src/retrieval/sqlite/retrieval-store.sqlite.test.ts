// Both retrieval index engines against the RetrievalStore contract: a SQLite file and the JSON file's in-memory database.
import { join } from 'node:path';
import { makeTempDir } from '../../../test/support/temp-dir';
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
