// How the global and an agent's config layers combine: merged for reading, diffed for storing the agent's own keys.
import { UNSAFE_KEYS } from '../shared/unsafe-keys';
import { isPlainObject } from './config-file';

type Json = Record<string, unknown>;

/**
 * Objects merge key by key; any other override value replaces the base value. Unsafe keys (`__proto__`,
 * `constructor`, `prototype`) are refused at the edges (body parser, config files); they are skipped here
 * too, so no caller can make the assignment below replace a prototype.
 */
export function deepMerge(base: Json, override: Json): Json {
  const result: Json = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (UNSAFE_KEYS.has(key)) continue;
    const current = result[key];
    result[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return result;
}

/** The parts of `value` that differ from `base`, as a nested object; `{}` when equal. */
export function deepDiff(value: Json, base: Json): Json {
  const result: Json = {};
  for (const [key, item] of Object.entries(value)) {
    const other = base[key];
    if (isPlainObject(item) && isPlainObject(other)) {
      const nested = deepDiff(item, other);
      if (Object.keys(nested).length > 0) result[key] = nested;
    } else if (JSON.stringify(item) !== JSON.stringify(other)) {
      result[key] = item;
    }
  }
  return result;
}
