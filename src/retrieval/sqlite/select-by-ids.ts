// Reads by a long list of ids or hashes in parts, as SQLite caps the bound parameters of one statement.
import type { Database } from 'bun:sqlite';

/** `count` comma-separated `?` marks, for an `IN (…)` list. */
export const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(',');

/**
 * The rows of `sql` (given the `?` marks of one part) for `ids` read 500 at a time, each mapped by `map`;
 * `leading` values are bound before each part's ids.
 */
export function selectByIds<R, T>(
  db: Database,
  ids: number[],
  sql: (marks: string) => string,
  map: (row: R) => T,
  leading: (string | number)[] = [],
): T[] {
  const rows: T[] = [];
  for (let start = 0; start < ids.length; start += 500) {
    const part = ids.slice(start, start + 500);
    for (const row of db.query<R, (string | number)[]>(sql(placeholders(part.length))).all(...leading, ...part))
      rows.push(map(row));
  }
  return rows;
}
