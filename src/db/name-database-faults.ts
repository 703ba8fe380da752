// Makes the SQLite failures of a store name their database file, so a 503 answer can say which database it is.
import { withDatabase } from '../shared/storage-fault';

/**
 * `store` with each method wrapped: a SQLite error it throws, or its promise rejects with, is given the database
 * file `path` (withDatabase) before it goes on. Values, and errors that are no SQLite error, pass unchanged. Errors
 * raised later while a returned iterator is read are not named.
 */
export function nameDatabaseFaults<T extends object>(store: T, path: string): T {
  const named = { ...store } as Record<string, unknown>;
  for (const [key, value] of Object.entries(store)) {
    if (typeof value !== 'function') continue;
    named[key] = (...args: unknown[]) => {
      let result: unknown;
      try {
        result = value.apply(store, args);
      } catch (error) {
        throw withDatabase(error, path);
      }
      return result instanceof Promise
        ? result.catch((error: unknown) => Promise.reject(withDatabase(error, path)))
        : result;
    };
  }
  return named as T;
}
