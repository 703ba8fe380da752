// Keys that would reach an object's prototype when copied by assignment; parsed JSON may hold them as own keys.
import { validationErrors } from './app-error';
import { pathsWhere } from './json-paths';

/** `JSON.parse('{"__proto__": …}')` makes an own key; `target[key] = …` with it replaces the target's prototype. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The dotted paths (array items by index) of every unsafe own key in `value`, at any depth. */
export function unsafeKeyPaths(value: unknown): string[] {
  return pathsWhere(value, (key) => UNSAFE_KEYS.has(key));
}

/**
 * Throws 422 `validation_error` (`unsafe_key`) naming each unsafe key in `value`, its field prefixed by
 * `fieldPrefix`. Such keys are never stored or merged: they could only change prototypes, not config.
 */
export function assertNoUnsafeKeys(value: unknown, fieldPrefix = ''): void {
  const paths = unsafeKeyPaths(value);
  if (paths.length === 0) return;
  throw validationErrors(
    paths.map((path) => ({
      field: [fieldPrefix, path].filter(Boolean).join('.'),
      message: `Key not allowed: ${path.split('.').at(-1)}`,
      code: 'unsafe_key',
    })),
  );
}
