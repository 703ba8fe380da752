// The config.json files on disk: read as one JSON object, written atomically keeping their mode, owner and link.
import { existsSync } from 'node:fs';
import { validationError } from '../shared/app-error';
import { isNestedDeeperThan } from '../shared/json-depth';
import { readRegularFile } from '../shared/regular-file';
import { assertNoUnsafeKeys } from '../shared/unsafe-keys';
import { rewriteOperatorFile } from './operator-file';

type Json = Record<string, unknown>;

/** As request bodies: the config's own shape is a few levels deep, and the key walk below recurses. */
const MAX_CONFIG_DEPTH = 64;

export function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The JSON object in the file at `path` (`{}` when there is none); 422 naming the file as `name` when it is not JSON
 * (`json_invalid`), nests deeper than 64 levels (`too_deep`) or holds anything but an object; NotRegularFileError naming the path, never a wait, when a FIFO
 * or device stands there.
 */
export function readJsonObject(path: string, name = 'config.json'): Json {
  if (!existsSync(path)) return {};
  let parsed: unknown;
  const text = readRegularFile(path);
  if (isNestedDeeperThan(text, MAX_CONFIG_DEPTH))
    throw validationError(name, `Nests deeper than ${MAX_CONFIG_DEPTH} levels`, 'too_deep');
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw validationError(name, `Is not valid JSON (${error.message})`, 'json_invalid');
  }
  if (!isPlainObject(parsed)) throw validationError(name, 'Must hold a JSON object', 'dict_type');
  assertNoUnsafeKeys(parsed, name);
  return parsed;
}

export function serializeConfig(value: Json): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Replaces the config file at `path` (`name` in answers) by `value`, as rewriteOperatorFile does (mode, owner and
 * link kept; 503 naming `name` when its link leads into a missing folder, other faults as the error envelope says
 * those of the data folder).
 */
export function writeConfigFile(path: string, value: Json, name = 'config.json'): void {
  rewriteOperatorFile(path, name, serializeConfig(value));
}
