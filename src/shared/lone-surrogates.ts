// Strings that no UTF-8 text can hold: a JSON `\ud800` escape parses to a lone surrogate, which stored or written
// as UTF-8 silently becomes U+FFFD. Such input is refused instead of changed.

/** Whether the JSON text holds an escaped surrogate at all (raw UTF-8 cannot encode one): the cheap first look. */
export function mayHoldLoneSurrogate(jsonText: string): boolean {
  return /\\u[dD][89a-fA-F]/.test(jsonText);
}

/** The dotted paths (array items by index) of every string, key or value, in `value` that is not well-formed UTF-16. */
export function loneSurrogatePaths(value: unknown, path: readonly (string | number)[] = []): string[] {
  if (typeof value === 'string') return value.isWellFormed() ? [] : [path.join('.')];
  if (typeof value !== 'object' || value === null) return [];
  const found: string[] = [];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);
  for (const [key, item] of entries) {
    if (typeof key === 'string' && !key.isWellFormed()) found.push([...path, key].join('.'));
    else found.push(...loneSurrogatePaths(item, [...path, key]));
  }
  return found;
}
