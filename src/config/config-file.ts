// The config.json files on disk: read as one JSON object, written atomically keeping their mode, owner and link.
import { existsSync } from 'node:fs';
import { validationError } from '../shared/app-error';
import { readRegularFile } from '../shared/regular-file';
import { assertNoUnsafeKeys } from '../shared/unsafe-keys';
import { rewriteOperatorFile } from './operator-file';

type Json = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The JSON object in the file at `path` (`{}` when there is none); 422 naming the file as `name` when it is not JSON
 * (`json_invalid`) or holds anything but an object; NotRegularFileError naming the path, never a wait, when a FIFO
 * or device stands there.
 */
export function readJsonObject(path: string, name = 'config.json'): Json {
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readRegularFile(path));
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
