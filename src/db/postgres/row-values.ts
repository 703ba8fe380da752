// Values as Bun.sql returns them (int8 as strings) turned into the numbers the domains use.

/** An int8 (string) or numeric column as a number. */
export function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** As `toNumber`, keeping SQL NULL as null. */
export function toNumberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : toNumber(value);
}
