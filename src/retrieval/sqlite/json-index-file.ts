// Engine `json`: the index lives in one JSON file, loaded into an in-memory database so search runs the same code.
import type { Database, SQLQueryBindings } from 'bun:sqlite';
import { existsSync } from 'node:fs';
import { openDatabase } from '../../db/open-database';
import { writeFileAtomic } from '../../shared/atomic-write';
import { jsonField, jsonList } from '../../shared/json-field';
import { NotRegularFileError, readRegularFile } from '../../shared/regular-file';
import { fromBlob, RETRIEVAL_SCHEMA_VERSION, toBlob } from '../retrieval-records';
import { RETRIEVAL_DB_MIGRATIONS } from './retrieval-db.schema';

const TABLES = ['index_meta', 'sources', 'chunks', 'embedding_cache'] as const;
const BLOB_COLUMNS = new Set(['vector']);

const encodeVector = (blob: Uint8Array) => Buffer.from(fromBlob(blob).slice().buffer).toString('base64');
const decodeVector = (text: string) => {
  const bytes = Buffer.from(text, 'base64');
  return toBlob(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
};

/**
 * Opens an in-memory retrieval database filled from `path` (if it exists). Rows keep their ids,
 * and the FTS tables are rebuilt from the chunks, so bm25 ranks and vector scores equal those of
 * the SQLite engine. A file of another format version or unreadable JSON starts an empty index. Throws
 * NotRegularFileError (a storage fault, 503) when a FIFO, device or socket stands at `path`.
 */
export function openJsonIndex(path: string): Database {
  const db = openDatabase(':memory:', RETRIEVAL_DB_MIGRATIONS);
  if (!existsSync(path)) return db;
  let json: unknown;
  try {
    json = JSON.parse(readRegularFile(path));
  } catch (error) {
    // A FIFO or device there is refused, never waited on (a plain read blocked the whole server); saving would
    // replace it, but an index that never says why it starts empty hides the fault.
    if (error instanceof NotRegularFileError) throw error;
    // Unreadable or cut short: the index is derived, so it starts empty and the indexer fills it from the files.
    return db;
  }
  if (
    jsonField(json, 'format') !== 'mini-openclaw-retrieval' ||
    jsonField(json, 'schema_version') !== RETRIEVAL_SCHEMA_VERSION
  )
    return db;
  try {
    loadRows(db, json);
  } catch {
    // A row the tables refuse (a null text, a wrong type): the index starts empty, as for an unreadable file.
    db.close();
    return openDatabase(':memory:', RETRIEVAL_DB_MIGRATIONS);
  }
  return db;
}

/** Inserts the file's rows, all or none. */
function loadRows(db: Database, json: unknown): void {
  db.transaction(() => {
    for (const table of TABLES) {
      for (const row of jsonList(json, table) ?? []) {
        // A row that is no object has no columns: its INSERT fails, and so does the load, as for any bad row.
        const columns = typeof row === 'object' && row !== null ? Object.keys(row) : [];
        const values = columns.map((column) =>
          BLOB_COLUMNS.has(column) ? decodeVector(String(jsonField(row, column))) : jsonField(row, column),
        );
        // The file's values, as saveJsonIndex wrote them: the columns' numbers, strings and nulls.
        db.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run(
          ...(values as SQLQueryBindings[]),
        );
      }
    }
    for (const row of db.query('SELECT id, domain, text FROM chunks ORDER BY id').all() as {
      id: number;
      domain: string;
      text: string;
    }[]) {
      db.query(
        `INSERT INTO ${row.domain === 'memory' ? 'fts_memory' : 'fts_knowledge'} (rowid, text) VALUES (?, ?)`,
      ).run(row.id, row.text);
    }
  })();
}

/** Writes the whole index to `path` atomically (vectors as base64 little-endian float32). */
export function saveJsonIndex(db: Database, path: string): void {
  const snapshot: Record<string, unknown> = {
    format: 'mini-openclaw-retrieval',
    schema_version: RETRIEVAL_SCHEMA_VERSION,
  };
  for (const table of TABLES) {
    snapshot[table] = (db.query(`SELECT * FROM ${table}`).all() as Record<string, unknown>[]).map((row) => {
      for (const column of BLOB_COLUMNS)
        if (row[column] instanceof Uint8Array) row[column] = encodeVector(row[column] as Uint8Array);
      return row;
    });
  }
  writeFileAtomic(path, `${JSON.stringify(snapshot)}\n`);
}
