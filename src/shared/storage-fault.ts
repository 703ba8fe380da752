// What a file-system or SQLite failure of the data folder means for a client: 507 when it is full, 503 when it cannot be written.
import { basename, dirname, isAbsolute, relative, sep } from 'node:path';
import { AppError } from './app-error';
import { hasNoFreeSpace, isOutOfDescriptors } from './resource-exhaustion';

export type StorageFaultCode = 'insufficient_storage' | 'storage_unavailable';
type Reason =
  | 'disk_full'
  | 'quota_exceeded'
  | 'read_only'
  | 'permission_denied'
  | 'not_a_folder'
  | 'not_regular_file'
  | 'database_unwritable'
  | 'database_damaged'
  | 'database_busy'
  | 'database_unreachable'
  | 'too_many_open_files';

interface SystemError {
  code?: unknown;
  path?: unknown;
  dest?: unknown;
  cause?: unknown;
  /** The SQLite file a SQLite error came from (see withDatabase). */
  database?: unknown;
}

const ERRNO_REASONS: Record<string, Reason> = {
  ENOSPC: 'disk_full',
  EDQUOT: 'quota_exceeded',
  EROFS: 'read_only',
  EACCES: 'permission_denied',
  EPERM: 'permission_denied',
  ENOTDIR: 'not_a_folder',
  // shared/regular-file.ts: a FIFO, device or socket where the server reads a file of its own (never waited on).
  ENOTREG: 'not_regular_file',
  // The process (or the system) is out of file descriptors, held by open connections say: no fault of a folder.
  EMFILE: 'too_many_open_files',
  ENFILE: 'too_many_open_files',
};
/** Reasons that are only the data folder's fault when the failing path lies inside it (EACCES on, say, a tool binary is not). */
const NEEDS_PATH_INSIDE = new Set<Reason>(['read_only', 'permission_denied', 'not_a_folder', 'not_regular_file']);

const REASON_CODES: Record<Reason, StorageFaultCode> = {
  disk_full: 'insufficient_storage',
  quota_exceeded: 'insufficient_storage',
  read_only: 'storage_unavailable',
  permission_denied: 'storage_unavailable',
  not_a_folder: 'storage_unavailable',
  not_regular_file: 'storage_unavailable',
  database_unwritable: 'storage_unavailable',
  database_damaged: 'storage_unavailable',
  database_busy: 'storage_unavailable',
  database_unreachable: 'storage_unavailable',
  too_many_open_files: 'storage_unavailable',
};

const MESSAGES: Record<Reason, string> = {
  disk_full: 'No space left in the data folder',
  quota_exceeded: 'The disk quota of the data folder is used up',
  read_only: 'The data folder is read-only',
  permission_denied: 'The data folder is not writable (permission denied)',
  not_a_folder: 'A folder of the data folder is a file, not a folder',
  not_regular_file: 'A file of the data folder is not a regular file',
  database_unwritable: 'A database in the data folder cannot be written',
  database_damaged: 'A database in the data folder is damaged (its file is malformed)',
  database_busy: 'A database in the data folder is locked by another process; try again shortly',
  database_unreachable: 'The database cannot be reached; try again shortly',
  too_many_open_files: 'The server has too many files and connections open; try again shortly',
};

/**
 * SQLSTATE classes of a PostgreSQL server that is away or going: connection exceptions (08), shutdown and
 * start-up (57P01-57P03), too many connections (53300).
 */
const POSTGRES_AWAY_STATES = /^(08|57P0[1-3]|53300)/;

/** Whether `error` is Bun.sql's report of a PostgreSQL server it cannot reach or lost (not a failed statement). */
function isPostgresAway(error: { name?: unknown; code?: unknown; errno?: unknown }): boolean {
  if (error.name !== 'PostgresError' || typeof error.code !== 'string') return false;
  if (error.code === 'ERR_POSTGRES_SERVER_ERROR')
    return typeof error.errno === 'string' && POSTGRES_AWAY_STATES.test(error.errno);
  return /^ERR_POSTGRES_(CONNECTION|IDLE_TIMEOUT|LIFETIME_TIMEOUT|TLS)/.test(error.code);
}

interface Fault {
  reason: Reason;
  /** The absolute path the operation failed on, when the error names one. */
  path: string | null;
  /** The SQLite file of a SQLite fault, when the error was given one (withDatabase). */
  database?: string;
}

/**
 * The storage fault in `error` or its causes (errno ENOSPC/EDQUOT/EROFS/EACCES/EPERM/ENOTDIR/EMFILE/ENFILE, ENOTREG,
 * SQLITE_FULL/READONLY/CANTOPEN/IOERR/CORRUPT/NOTADB/BUSY), or null. A CANTOPEN met while the process is out of
 * descriptors (probed now, as SQLite gives no errno) is `too_many_open_files`.
 */
function findFault(error: unknown, dataDir: string | null): Fault | null {
  for (let current: unknown = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const { code, path, cause, database } = current as SystemError;
    if (isPostgresAway(current as SystemError & { name?: unknown; errno?: unknown }))
      return { reason: 'database_unreachable', path: null };
    if (typeof code === 'string') {
      const sqlite = (reason: Reason): Fault =>
        typeof database === 'string' ? { reason, path: null, database } : { reason, path: null };
      if (code.startsWith('SQLITE_FULL')) return sqlite('disk_full');
      // An I/O error of SQLite on a full disk (growing its shared-memory file, say) is still a full disk.
      if (code.startsWith('SQLITE_IOERR'))
        return sqlite(dataDir && hasNoFreeSpace(dataDir) ? 'disk_full' : 'database_unwritable');
      // SQLite says CANTOPEN, not why: a process out of descriptors is no fault of the database (nor names it).
      if (code.startsWith('SQLITE_CANTOPEN') && isOutOfDescriptors())
        return { reason: 'too_many_open_files', path: null };
      if (/^SQLITE_(READONLY|CANTOPEN)/.test(code)) return sqlite('database_unwritable');
      if (/^SQLITE_(CORRUPT|NOTADB)/.test(code)) return sqlite('database_damaged');
      // Another process (a backup, a sqlite3 shell) held a write lock past the busy timeout.
      if (code.startsWith('SQLITE_BUSY')) return sqlite('database_busy');
      const reason = ERRNO_REASONS[code];
      if (reason) return { reason, path: typeof path === 'string' ? path : null };
    }
    current = cause;
  }
  return null;
}

/** Whether `error` is a storage fault by its code alone (before the data folder is known). */
export function isStorageFault(error: unknown): boolean {
  return findFault(error, null) !== null;
}

/**
 * The client-safe error for a storage fault of the data folder, or null for any other error: 507
 * `insufficient_storage` for a full disk or quota, 503 `storage_unavailable` for a read-only or
 * permission-denied folder, a database that cannot be written or a process out of descriptors (no folder named).
 * The message names the folder holding the entry that failed, relative to `dataDir` (`details.folder`), never an absolute path or a stack; a SQLite
 * fault names its database file (`details.file`, relative to `dataDir`, its name alone outside it) when the error
 * was given it (withDatabase). A read-only or permission failure outside the data folder is not one (null).
 */
export function storageFaultError(
  error: unknown,
  dataDir: string,
): (AppError & { readonly code: StorageFaultCode }) | null {
  const fault = findFault(error, dataDir);
  if (!fault) return null;
  const folder =
    fault.path === null || fault.reason === 'too_many_open_files' ? null : relativeFolder(dataDir, dirname(fault.path));
  if (NEEDS_PATH_INSIDE.has(fault.reason) && fault.path !== null && folder === null) return null;
  const message = folder && folder !== '.' ? `${MESSAGES[fault.reason]}: ${folder}` : MESSAGES[fault.reason];
  const details: Record<string, unknown> = { reason: fault.reason };
  if (folder) details.folder = folder;
  if (fault.database) details.file = relativeFile(dataDir, fault.database);
  return new AppError(REASON_CODES[fault.reason], message, details, { cause: error }) as AppError & {
    readonly code: StorageFaultCode;
  };
}

/** What went wrong, said of one named file rather than of the data folder. */
const FILE_MESSAGES: Record<Reason, string> = {
  disk_full: 'no space left on its disk',
  quota_exceeded: 'the disk quota is used up',
  read_only: 'its folder is read-only',
  permission_denied: 'permission denied',
  not_a_folder: 'its folder is a file',
  not_regular_file: 'it is not a regular file',
  database_unwritable: 'it cannot be written',
  database_damaged: 'it is damaged',
  database_busy: 'another process holds its lock',
  database_unreachable: 'it cannot be reached',
  too_many_open_files: 'the server has too many files open',
};

/**
 * The client-safe error for a storage fault writing a file of the server's that lies outside the data folder (the
 * working folder's `.env`), or null for any other error: 507 / 503 as `storageFaultError`, wherever the path lies,
 * with a message and `details.file` naming only `name` (`Cannot write .env: its folder is read-only`).
 */
export function fileFaultError(error: unknown, name: string): (AppError & { readonly code: StorageFaultCode }) | null {
  const fault = findFault(error, null);
  if (!fault) return null;
  return new AppError(
    REASON_CODES[fault.reason],
    `Cannot write ${name}: ${FILE_MESSAGES[fault.reason]}`,
    { reason: fault.reason, file: name },
    { cause: error },
  ) as AppError & { readonly code: StorageFaultCode };
}

/** `folder` relative to `dataDir` (`.` for the data folder itself), or null when it lies outside. */
function relativeFolder(dataDir: string, folder: string): string | null {
  const path = relative(dataDir, folder);
  if (path === '') return '.';
  if (path === '..' || path.startsWith(`..${sep}`) || isAbsolute(path)) return null;
  return path.split(sep).join('/');
}

/** `file` relative to `dataDir`, or its name alone when it lies outside (no absolute path reaches a client). */
function relativeFile(dataDir: string, file: string): string {
  const folder = relativeFolder(dataDir, dirname(file));
  if (folder === null) return basename(file);
  return folder === '.' ? basename(file) : `${folder}/${basename(file)}`;
}

const isSystemError = (error: unknown): error is SystemError =>
  typeof error === 'object' && error !== null && typeof (error as SystemError).code === 'string';

/** Makes an errno error name `path` when it names none (a failed `write` or `fsync` on a handle has none). Returns `error`. */
export function withPath(error: unknown, path: string): unknown {
  if (isSystemError(error) && typeof error.path !== 'string') error.path = path;
  return error;
}

/**
 * Makes a SQLite error (or the first one among its causes) name the database file `path` it came from, when it names
 * none yet, so the client's 503 can say which database. Returns `error`.
 */
export function withDatabase(error: unknown, path: string): unknown {
  for (let current: unknown = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    if (isSystemError(current) && (current.code as string).startsWith('SQLITE_')) {
      if (typeof current.database !== 'string') current.database = path;
      break;
    }
    current = (current as SystemError).cause;
  }
  return error;
}

/**
 * Replaces the `pinned` prefix (`/proc/self/fd/<n>`, a folder opened for a guarded operation) of the
 * paths an errno error names by the folder's own path, which still means something once the handle
 * is closed. Returns `error`.
 */
export function withRealFolder(error: unknown, pinned: string, folder: string): unknown {
  if (!isSystemError(error)) return error;
  const rebase = (path: unknown) =>
    typeof path === 'string' && path.startsWith(`${pinned}/`) ? folder + path.slice(pinned.length) : path;
  if (typeof error.path === 'string') error.path = rebase(error.path);
  if (typeof error.dest === 'string') error.dest = rebase(error.dest);
  return error;
}
