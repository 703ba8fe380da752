// Opens an agent's index in the engine its config names: a SQLite file, or the JSON file loaded into memory.
import { Database } from 'bun:sqlite';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { nameDatabaseFaults } from '../../db/name-database-faults';
import { openDatabase } from '../../db/open-database';
import { BULK_BUILD_SUFFIX, SQLITE_SIDE_SUFFIXES } from '../../shared/agent-storage';
import { syncFolder } from '../../shared/atomic-write';
import type { BulkWrites, IndexStorage, OpenIndexStorage } from '../retrieval-store.port';
import { openJsonIndex, saveJsonIndex } from './json-index-file';
import { RETRIEVAL_DB_MIGRATIONS } from './retrieval-db.schema';
import { createSqliteRetrievalStore } from './retrieval-store.sqlite';

/** A new database file with 8 KiB pages, so a 1,536-dimension vector (6 KiB) fits one page without overflow pages. */
function createWithPageSize(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { create: true });
  db.exec('PRAGMA page_size = 8192');
  db.exec('PRAGMA journal_mode = WAL'); // the first write fixes the page size
  db.close();
}

/** Present while a bulk build writes without syncing; found at open, it means the build never reached the disk whole. */
const bulkMarker = (path: string) => `${path}${BULK_BUILD_SUFFIX}`;

/** Deletes the index files: it is derived data, rebuilt from the agent's files on the next pass. */
function discardIndex(path: string): void {
  for (const file of [path, ...SQLITE_SIDE_SUFFIXES.map((suffix) => `${path}${suffix}`), bulkMarker(path)])
    rmSync(file, { force: true });
}

/**
 * Bulk mode for a large build: SQLite stops syncing (`synchronous = OFF`, several times faster for
 * hundreds of megabytes of vectors). A process crash loses nothing in WAL mode; an OS crash or power
 * loss could leave the file damaged, so a durable marker file exists for exactly that window, and an
 * index found with it is discarded and rebuilt. `end` checkpoints with syncing back on, then removes it (once: the
 * index's close ends a build left in bulk mode).
 */
function bulkWrites(db: Database, path: string): BulkWrites {
  let active = false;
  return {
    begin() {
      // The pragma first: on an index closed meanwhile (a stop or an eviction between a build's slices) it throws
      // before the marker exists, which nothing would then remove (the next open discarded the index and its cache).
      // Nothing is written between the two, so no write goes unsynced before the marker is on disk.
      db.exec('PRAGMA synchronous = OFF');
      try {
        const handle = openSync(bulkMarker(path), 'w');
        fsyncSync(handle);
        closeSync(handle);
        syncFolder(dirname(path));
      } catch (error) {
        db.exec('PRAGMA synchronous = NORMAL');
        throw error;
      }
      active = true;
    },
    end() {
      if (!active) return;
      active = false;
      db.exec('PRAGMA synchronous = NORMAL');
      db.exec('PRAGMA wal_checkpoint(FULL)');
      rmSync(bulkMarker(path), { force: true });
      syncFolder(dirname(path));
    },
  };
}

/** Whether `error` says the file is damaged or no database at all (not that the disk refused it). */
const isDamaged = (error: unknown) => {
  const code = String((error as { code?: unknown }).code ?? '');
  return code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT');
};

/**
 * Opens the index, created when missing. A damaged file (overwritten, cut by a disk fault) is discarded and the
 * index starts empty: it is derived, and the indexer fills it from the files again (it answered 500 for good).
 */
function openOrRebuild(path: string): Database {
  for (let attempt = 0; ; attempt++) {
    try {
      if (!existsSync(path)) createWithPageSize(path);
      return openDatabase(path, RETRIEVAL_DB_MIGRATIONS);
    } catch (error) {
      if (attempt > 0 || !isDamaged(error)) throw error;
      discardIndex(path);
    }
  }
}

/** The SQLite and JSON engines of the retrieval index. */
export const openSqliteIndex: OpenIndexStorage = (engine, path, identity): IndexStorage => {
  if (engine === 'json') {
    const db = openJsonIndex(path);
    return {
      store: createSqliteRetrievalStore(db, identity),
      persist: () => saveJsonIndex(db, path),
      isDamaged,
      close: () => db.close(),
      discard: () => {
        db.close();
        rmSync(path, { force: true });
      },
    };
  }
  if (existsSync(bulkMarker(path))) discardIndex(path);
  const db = openOrRebuild(path);
  db.exec('PRAGMA busy_timeout = 30000');
  const bulk = bulkWrites(db, path);
  return {
    // Its SQLite failures name the index file, so a 503 says which database.
    store: nameDatabaseFaults(createSqliteRetrievalStore(db, identity), path),
    bulkWrites: bulk,
    persist: () => {
      // Nothing to save: the SQLite engine writes to the file as it goes.
    },
    isDamaged,
    close: () => {
      // A build still in bulk mode (a stop between its slices) is synced and its marker removed first: left behind,
      // the marker made the next start discard the index and its embedding cache, and embed every text again.
      try {
        bulk.end();
      } finally {
        db.close();
      }
    },
    discard: () => {
      db.close();
      discardIndex(path);
    },
  };
};
