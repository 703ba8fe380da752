// PostgreSQL text cannot hold U+0000: a parameter holding it fails the whole statement (a 500, or a lost reply).
// Every string sent as a parameter through the pool has it replaced by U+FFFD, as SQLite would otherwise keep it.

/** What a NUL character is stored as on PostgreSQL. */
export const NUL_REPLACEMENT = '\uFFFD';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/** `value` with NUL replaced in a string, in the items of an array and in the fields of a plain object (`sql(row)`). */
function clean(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replaceAll('\u0000', NUL_REPLACEMENT) : value;
  if (Array.isArray(value)) return value.map(clean);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, clean(item)]));
  // Query fragments, Dates, buffers, numbers: as they are.
  return value;
}

/** A tagged template call's values (the strings array stays), or a helper call's arguments. */
function cleanCall(args: unknown[]): unknown[] {
  const [first, ...rest] = args;
  if (Array.isArray(first) && 'raw' in first) return [first, ...rest.map(clean)];
  return args.map(clean);
}

type Callable = (...args: unknown[]) => unknown;

/**
 * `sql` (a Bun.sql pool, transaction or reserved connection) whose every query sends its string parameters
 * without NUL: tagged templates, `sql(row)` helpers, `unsafe(text, params)`, and the same for the
 * transactions of `begin` and the connections of `reserve`.
 */
export function nulFree<T extends object>(sql: T): T {
  return new Proxy(sql, {
    apply: (target, thisArg, args: unknown[]) => Reflect.apply(target as Callable, thisArg, cleanCall(args)),
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      const method = value as Callable;
      if (property === 'begin' || property === 'transaction' || property === 'savepoint')
        return (...args: unknown[]) =>
          method.apply(
            target,
            args.map((arg) => (typeof arg === 'function' ? (tx: object) => (arg as Callable)(nulFree(tx)) : arg)),
          );
      if (property === 'unsafe')
        return (text: unknown, params?: unknown[], ...rest: unknown[]) =>
          method.call(target, text, params === undefined ? params : params.map(clean), ...rest);
      if (property === 'reserve')
        return async (...args: unknown[]) => nulFree((await method.apply(target, args)) as object);
      return method.bind(target);
    },
  });
}
