// Schema of storage/retrieval.db: derived data, always rebuildable from the agent's memory/ and knowledge/ files.
import type { Migration } from '../../db/migrations';

export const RETRIEVAL_DB_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'sources, chunks, per-domain FTS5, float32 vectors in the embedding cache, index meta',
    sql: `
      CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        domain TEXT NOT NULL CHECK (domain IN ('memory', 'knowledge')),
        path TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ms REAL NOT NULL,
        indexed_at INTEGER NOT NULL,
        UNIQUE (domain, path)
      );
      CREATE TABLE chunks (
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        domain TEXT NOT NULL,
        start_line INTEGER NOT NULL,
        end_line INTEGER NOT NULL,
        text TEXT NOT NULL,
        text_hash TEXT NOT NULL
      );
      CREATE INDEX chunks_by_source ON chunks (source_id);
      CREATE INDEX chunks_by_domain ON chunks (domain, id);
      -- Vectors live once, here: a chunk's vector is the row for (index identity, chunk text_hash).
      CREATE TABLE embedding_cache (
        id INTEGER PRIMARY KEY,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        text_hash TEXT NOT NULL,
        dims INTEGER NOT NULL,
        vector BLOB NOT NULL,
        created_at INTEGER NOT NULL
      );
      -- A rowid table with a unique key: blobs append in order (3x faster to fill than WITHOUT ROWID).
      CREATE UNIQUE INDEX embedding_cache_key ON embedding_cache (provider, model, text_hash);
      CREATE TABLE index_meta (
        domain TEXT PRIMARY KEY,
        digest TEXT NOT NULL,
        schema_version INTEGER NOT NULL,
        chunk_size INTEGER NOT NULL,
        chunk_overlap INTEGER NOT NULL,
        embedding_provider TEXT NOT NULL,
        embedding_model TEXT NOT NULL,
        embedding_dims INTEGER NOT NULL DEFAULT 0,
        updated_ms INTEGER NOT NULL
      );
      CREATE VIRTUAL TABLE fts_memory USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
      CREATE VIRTUAL TABLE fts_knowledge USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
    `,
  },
];
