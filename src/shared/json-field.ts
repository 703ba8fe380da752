// Typed reads from parsed JSON of unknown shape (provider answers, files on disk): no `any` where the shape is not ours.

/**
 * `value[name]` when `value` is an object or an array, read as plain property access reads it;
 * undefined for null and every other JSON value.
 */
export function jsonField(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/** `value[name]` when it is an array; null when `value` has no such field or it holds something else. */
export function jsonList(value: unknown, name: string): unknown[] | null {
  const field = jsonField(value, name);
  return Array.isArray(field) ? field : null;
}
