// A store built once per open database, so code holding an agent handle follows its database across close and reopen.
import type { Database } from 'bun:sqlite';

/**
 * Memoizes `factory` per Database object. An agent's database may be closed while idle and reopened
 * as a new object; callers ask again on every use (`storeOf(agent.db)`) and get the store of the
 * database that is open now, never one of a closed database.
 */
export function perDatabase<T>(factory: (db: Database) => T): (db: Database) => T {
  const stores = new WeakMap<Database, T>();
  return (db) => {
    let store = stores.get(db);
    if (store === undefined) {
      store = factory(db);
      stores.set(db, store);
    }
    return store;
  };
}
