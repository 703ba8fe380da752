// Config values that name a file: relative, normalised, directly inside the agent's storage/, never a file the server owns.
import { lstatSync } from 'node:fs';
import { join, posix } from 'node:path';
import { NAME_MAX_BYTES } from '../shared/atomic-write';
import {
  AGENT_STORAGE_FOLDER,
  BULK_BUILD_SUFFIX,
  isServerOwnedStorageName,
  SQLITE_SIDE_SUFFIXES,
} from '../shared/agent-storage';

const MAX_VALUE_CHARS = 1024;
/** The longest suffix the server appends to the index's name (its side files and bulk marker). */
const LONGEST_SIDE_SUFFIX = Math.max(BULK_BUILD_SUFFIX.length, ...SQLITE_SIDE_SUFFIXES.map((suffix) => suffix.length));

export type IndexEngine = 'sqlite' | 'json';

/** The file the retrieval index lives in, relative to the agent folder: `db_path`, or its `.json` sibling for engine json. */
export function indexFilePath(engine: IndexEngine, dbPath: string): string {
  return engine === 'json' ? `${dbPath.replace(/\.db$/i, '')}.json` : dbPath;
}

/** Why one file name in storage/ cannot hold the index, or null. */
function nameProblem(name: string): string | null {
  if (name.startsWith('.')) return "must not start with a dot (hidden and temporary names are the server's)";
  if (Buffer.byteLength(name) + LONGEST_SIDE_SUFFIX > NAME_MAX_BYTES) {
    return `file name is too long (at most ${NAME_MAX_BYTES - LONGEST_SIDE_SUFFIX} bytes, so its side files fit the ${NAME_MAX_BYTES}-byte limit)`;
  }
  if (isServerOwnedStorageName(name))
    return `${AGENT_STORAGE_FOLDER}/${name} is a file the server keeps for another purpose`;
  return null;
}

/**
 * Why `value` cannot name a file of the agent's storage/ folder, or null when it can. Subfolders are
 * refused: the index sits beside the other server files, and a nested name could cross a folder the
 * server keeps (`storage/memory_index/…`). Empty and over-long values are left to the string's own bounds.
 */
export function storagePathProblem(value: string): string | null {
  if (value.length === 0 || value.length > MAX_VALUE_CHARS) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'must not contain control characters or NUL bytes';
  if (value.includes('\\')) return 'backslashes are not allowed';
  if (value.startsWith('/') || value.startsWith('~') || /^[A-Za-z]:/.test(value))
    return 'must be relative to the agent folder, like storage/retrieval.db (absolute paths are refused)';
  if (value.split('/').includes('..')) return "must not contain '..'";
  const segments = posix
    .normalize(value)
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.');
  if (segments.length !== 2 || segments[0] !== AGENT_STORAGE_FOLDER) {
    return `must name a file directly inside the agent's ${AGENT_STORAGE_FOLDER}/ folder, like storage/retrieval.db`;
  }
  return nameProblem(segments[1]!);
}

/** `storage/x.db` for any accepted spelling (`./storage//x.db`). Call only on a value without a problem. */
export function normalizeStoragePath(value: string): string {
  return posix
    .normalize(value)
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/');
}

/** Why the index file of this engine and a valid `db_path` cannot be used (a .json name for SQLite, a bad derived json name), or null. */
export function indexFileProblem(engine: IndexEngine, dbPath: string): string | null {
  // zod runs the object's rule even when the field failed its own: report that problem once, there.
  if (storagePathProblem(dbPath)) return null;
  // A `.json` name is the json engine's file: SQLite would find a JSON document there after a switch of engine.
  if (engine === 'sqlite' && /\.json$/i.test(dbPath))
    return "with engine sqlite the index must not be a .json file (that is the json engine's)";
  const derived = indexFilePath(engine, dbPath);
  if (derived === dbPath) return null;
  const problem = storagePathProblem(derived);
  return problem && `with engine ${engine} the index is ${derived}: ${problem}`;
}

/** Why the index file cannot be used in this agent folder (it exists as a folder, link or device), or null. */
export function indexFileOnDiskProblem(agentRoot: string, engine: IndexEngine, dbPath: string): string | null {
  const relative = indexFilePath(engine, dbPath);
  try {
    if (!lstatSync(join(agentRoot, relative)).isFile()) return `${relative} exists and is not a regular file`;
  } catch {
    // Not there yet: the index creates it.
  }
  return null;
}
