// One server per data folder with SQLite storage: a lock held while it runs, which the system lets go if it dies.
import { Database } from 'bun:sqlite';
import { join } from 'node:path';
import type { Logger } from '../../shared/logger';

/** The file whose lock says a server uses the folder (it holds nothing else). */
export const DATA_FOLDER_LOCK = 'server.lock';

/** Start-up refused: another server (another process) holds the data folder's lock. */
export class DataFolderInUseError extends Error {
  override readonly name = 'DataFolderInUseError';
}

/**
 * Takes the data folder's lock: SQLite's exclusive lock on `server.lock`, kept for the connection's life
 * (`locking_mode = EXCLUSIVE`). It is a POSIX lock, so the system drops it when the process ends however it
 * ends, and a killed server leaves nothing to clean up. Two servers on one folder each swept the other's live
 * runs as interrupted and interleaved one session's turns. Throws DataFolderInUseError when another process
 * holds it; a folder that refuses the file (read-only, full) is logged and the server goes on without it, as
 * it goes on answering 503 or 507 for the writes it cannot make.
 */
export function lockDataFolder(dataDir: string, logger: Logger): { release(): void } {
  const path = join(dataDir, DATA_FOLDER_LOCK);
  let db: Database | null = null;
  try {
    db = new Database(path, { create: true });
    db.exec('PRAGMA busy_timeout = 0');
    // No journal file beside it: the lock is all it is for.
    db.exec('PRAGMA journal_mode = MEMORY');
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
  } catch (error) {
    db?.close();
    if (String((error as { code?: unknown }).code ?? '').startsWith('SQLITE_BUSY'))
      throw new DataFolderInUseError(
        `another server is using the data folder ${dataDir} (it holds ${DATA_FOLDER_LOCK}); stop it or choose another --data-dir`,
      );
    logger.warn('the data folder could not be locked against a second server', { error: String(error) });
    return { release: () => undefined };
  }
  const held = db;
  return { release: () => held.close() };
}
