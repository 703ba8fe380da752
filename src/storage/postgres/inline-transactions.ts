// A transaction's client that stores can take for a pool: their own `begin` runs its work inside it, as it is.

import type { TransactionSQL } from 'bun';

type Callable = (...args: unknown[]) => unknown;

/**
 * `tx` whose `begin(fn)` and `transaction(fn)` (options before `fn` are ignored) run `fn` with this same client,
 * inside `tx`: Bun.sql refuses `begin` inside a transaction, and the stores open their own. No savepoint is
 * taken (one per store call made an import three times slower), so a failure inside aborts all of `tx`: only
 * for work that is kept whole or not at all, such as an import. Every other property is `tx`'s own.
 */
export function inlineTransactions(tx: TransactionSQL): TransactionSQL {
  const client: TransactionSQL = new Proxy(tx, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      if (property === 'begin' || property === 'transaction')
        return async (...args: unknown[]) => {
          const work = args.at(-1) as Callable;
          return await work(client);
        };
      return (value as Callable).bind(target);
    },
  });
  return client;
}
