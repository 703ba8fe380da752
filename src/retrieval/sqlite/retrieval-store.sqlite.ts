// SQLite adapter of RetrievalStore: one agent's retrieval database (sources, chunks, FTS rows, vectors, embedding cache, meta).
import type { Database } from 'bun:sqlite';
import type { EmbeddingIdentity } from '../embedding-client';
import type { StoredChunk } from '../retrieval-records';
import type { RetrievalDomain } from '../retrieval-search';
import type { RetrievalStore } from '../retrieval-store.port';
import { createSqliteRetrievalVectors } from './retrieval-vectors.sqlite';
import { selectByIds } from './select-by-ids';

/** A row of index_meta. */
interface MetaRow {
  digest: string;
  schema_version: number;
  chunk_size: number;
  chunk_overlap: number;
  embedding_provider: string;
  embedding_model: string;
  embedding_dims: number;
  updated_ms: number;
}

/** A chunk with its source's path, as chunksByIds reads it. */
interface ChunkRow {
  id: number;
  path: string;
  start_line: number;
  end_line: number;
  text: string;
}

/**
 * Wraps an open retrieval database (see retrieval-db.schema.ts). Chunk vectors are read from the
 * embedding cache under `identity` (null: keyword-only, no vectors). Domain names come from a fixed
 * union, so table names are safe to interpolate. The vector methods come from retrieval-vectors.sqlite.ts.
 */
export function createSqliteRetrievalStore(db: Database, identity: EmbeddingIdentity | null): RetrievalStore {
  const provider = identity?.provider ?? '';
  const model = identity?.model ?? '';
  const fts = (domain: RetrievalDomain) => (domain === 'memory' ? 'fts_memory' : 'fts_knowledge');
  const deleteChunksOf = (domain: RetrievalDomain, sourceId: number): number[] => {
    const ids = (db.query('SELECT id FROM chunks WHERE source_id = ?').all(sourceId) as { id: number }[]).map(
      (row) => row.id,
    );
    db.query(`DELETE FROM ${fts(domain)} WHERE rowid IN (SELECT id FROM chunks WHERE source_id = ?)`).run(sourceId);
    db.query('DELETE FROM chunks WHERE source_id = ?').run(sourceId);
    return ids;
  };
  const batch = (work: () => void) => {
    if (db.inTransaction) work();
    else db.transaction(work)();
  };

  const store: RetrievalStore = {
    meta(domain) {
      const row = db.query<MetaRow, [string]>('SELECT * FROM index_meta WHERE domain = ?').get(domain);
      if (!row) return null;
      return {
        digest: row.digest,
        schemaVersion: row.schema_version,
        chunkSize: row.chunk_size,
        chunkOverlap: row.chunk_overlap,
        embeddingProvider: row.embedding_provider,
        embeddingModel: row.embedding_model,
        embeddingDims: row.embedding_dims,
        updatedMs: row.updated_ms,
      };
    },
    setMeta(domain, meta) {
      db.query(
        `INSERT INTO index_meta (domain, digest, schema_version, chunk_size, chunk_overlap, embedding_provider, embedding_model, embedding_dims, updated_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (domain) DO UPDATE SET digest = excluded.digest, schema_version = excluded.schema_version, chunk_size = excluded.chunk_size,
           chunk_overlap = excluded.chunk_overlap, embedding_provider = excluded.embedding_provider, embedding_model = excluded.embedding_model,
           embedding_dims = excluded.embedding_dims, updated_ms = excluded.updated_ms`,
      ).run(
        domain,
        meta.digest,
        meta.schemaVersion,
        meta.chunkSize,
        meta.chunkOverlap,
        meta.embeddingProvider,
        meta.embeddingModel,
        meta.embeddingDims,
        meta.updatedMs,
      );
    },
    sources(domain) {
      return db
        .query<{ path: string; content_hash: string; size: number; mtime_ms: number }, [string]>(
          'SELECT path, content_hash, size, mtime_ms FROM sources WHERE domain = ? ORDER BY path',
        )
        .all(domain)
        .map((row) => ({
          path: row.path,
          contentHash: row.content_hash,
          size: row.size,
          mtimeMs: row.mtime_ms,
        }));
    },
    replaceSource(domain, source, chunks, nowMs) {
      const changes = { removed: [] as number[], added: [] as number[] };
      store.batch(() => {
        const existing = db.query('SELECT id FROM sources WHERE domain = ? AND path = ?').get(domain, source.path) as {
          id: number;
        } | null;
        if (existing) changes.removed = deleteChunksOf(domain, existing.id);
        const sourceId = existing
          ? (db
              .query('UPDATE sources SET content_hash = ?, size = ?, mtime_ms = ?, indexed_at = ? WHERE id = ?')
              .run(source.contentHash, source.size, source.mtimeMs, nowMs, existing.id),
            existing.id)
          : Number(
              db
                .query(
                  'INSERT INTO sources (domain, path, content_hash, size, mtime_ms, indexed_at) VALUES (?, ?, ?, ?, ?, ?)',
                )
                .run(domain, source.path, source.contentHash, source.size, source.mtimeMs, nowMs).lastInsertRowid,
            );
        const insertChunk = db.query(
          'INSERT INTO chunks (source_id, domain, start_line, end_line, text, text_hash) VALUES (?, ?, ?, ?, ?, ?)',
        );
        const insertFts = db.query(`INSERT INTO ${fts(domain)} (rowid, text) VALUES (?, ?)`);
        for (const chunk of chunks) {
          const id = Number(
            insertChunk.run(sourceId, domain, chunk.startLine, chunk.endLine, chunk.text, chunk.textHash)
              .lastInsertRowid,
          );
          insertFts.run(id, chunk.text);
          changes.added.push(id);
        }
      });
      return changes;
    },
    batch,
    touchSource(domain, source) {
      db.query('UPDATE sources SET size = ?, mtime_ms = ? WHERE domain = ? AND path = ?').run(
        source.size,
        source.mtimeMs,
        domain,
        source.path,
      );
    },
    deleteSource(domain, path) {
      let removed: number[] = [];
      store.batch(() => {
        const existing = db.query('SELECT id FROM sources WHERE domain = ? AND path = ?').get(domain, path) as {
          id: number;
        } | null;
        if (!existing) return;
        removed = deleteChunksOf(domain, existing.id);
        db.query('DELETE FROM sources WHERE id = ?').run(existing.id);
      });
      return removed;
    },
    clearDomain(domain) {
      db.transaction(() => {
        db.exec(`DELETE FROM ${fts(domain)}`);
        db.query('DELETE FROM chunks WHERE domain = ?').run(domain);
        db.query('DELETE FROM sources WHERE domain = ?').run(domain);
        db.query('DELETE FROM index_meta WHERE domain = ?').run(domain);
      })();
    },
    counts(domain) {
      const row = db
        .query(
          `SELECT (SELECT count(*) FROM sources WHERE domain = ?1) AS sources, (SELECT count(*) FROM chunks WHERE domain = ?1) AS chunks,
             (SELECT count(*) FROM chunks c JOIN embedding_cache e ON e.provider = ?2 AND e.model = ?3 AND e.text_hash = c.text_hash WHERE c.domain = ?1) AS vectors`,
        )
        .get(domain, provider, model) as { sources: number; chunks: number; vectors: number };
      return { ...row };
    },
    keywordSearch(domain, ftsQuery, limit) {
      if (!ftsQuery) return [];
      try {
        return db
          .query<{ id: number; score: number }, [string, number]>(
            `SELECT rowid AS id, bm25(${fts(domain)}) AS score FROM ${fts(domain)} WHERE ${fts(domain)} MATCH ? ORDER BY score, rowid LIMIT ?`,
          )
          .all(ftsQuery, limit)
          .map((row) => ({ id: row.id, bm25: row.score }));
      } catch {
        // Terms arrive quoted (ftsOrQuery), so only a damaged FTS table or a read fault lands here: the vector half still answers.
        return [];
      }
    },
    chunksByIds(ids) {
      const found = new Map<number, StoredChunk>();
      const rows = selectByIds(
        db,
        ids,
        (marks) =>
          `SELECT c.id, s.path, c.start_line, c.end_line, c.text FROM chunks c JOIN sources s ON s.id = c.source_id WHERE c.id IN (${marks})`,
        (row: ChunkRow) => row,
      );
      for (const row of rows)
        found.set(row.id, {
          id: row.id,
          path: row.path,
          startLine: row.start_line,
          endLine: row.end_line,
          text: row.text,
        });
      return found;
    },
    ...createSqliteRetrievalVectors(db, identity, batch),
  };
  return store;
}
