// Strings that no UTF-8 text can hold: a JSON `\ud800` escape parses to a lone surrogate, which stored or written
// as UTF-8 silently becomes U+FFFD. Such input is refused instead of changed.
import { pathsWhere } from './json-paths';

/** Whether the JSON text holds an escaped surrogate at all (raw UTF-8 cannot encode one): the cheap first look. */
export function mayHoldLoneSurrogate(jsonText: string): boolean {
  return /\\u[dD][89a-fA-F]/.test(jsonText);
}

/** The dotted paths (array items by index) of every string, key or value, in `value` that is not well-formed UTF-16. */
export function loneSurrogatePaths(value: unknown): string[] {
  return pathsWhere(
    value,
    (key) => !key.isWellFormed(),
    (item) => typeof item === 'string' && !item.isWellFormed(),
  );
}
