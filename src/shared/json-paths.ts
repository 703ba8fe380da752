// Where in a parsed JSON value something sits: the dotted paths (array items by index) of keys and values that match.

/**
 * The paths of every own key for which `keyMatches` holds (not looked into further) and of every value for which
 * `valueMatches` holds, at any depth.
 */
export function pathsWhere(
  value: unknown,
  keyMatches: (key: string) => boolean,
  valueMatches: (value: unknown) => boolean = () => false,
  path: readonly (string | number)[] = [],
): string[] {
  if (valueMatches(value)) return [path.join('.')];
  if (typeof value !== 'object' || value === null) return [];
  const found: string[] = [];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);
  for (const [key, item] of entries) {
    if (typeof key === 'string' && keyMatches(key)) found.push([...path, key].join('.'));
    else found.push(...pathsWhere(item, keyMatches, valueMatches, [...path, key]));
  }
  return found;
}
