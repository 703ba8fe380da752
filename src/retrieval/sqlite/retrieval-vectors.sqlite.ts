// SQLite adapter of RetrievalStore, its vector half: the embedding cache and the chunk vectors read through it.
import type { Database } from 'bun:sqlite';
import type { EmbeddingIdentity } from '../embedding-client';
import { fromBlob, toBlob } from '../retrieval-records';
import type { RetrievalStore } from '../retrieval-store.port';
import { placeholders, selectByIds } from './select-by-ids';

/** A chunk's vector as the join of chunks and the embedding cache returns it. */
interface VectorRow {
  id: number;
  vector: Uint8Array;
}

/** The methods of RetrievalStore that read or write vectors. */
export type RetrievalVectors = Pick<
  RetrievalStore,
  | 'chunksWithoutVectors'
  | 'pruneCache'
  | 'cachedVectors'
  | 'cachedHashes'
  | 'cacheVectors'
  | 'vectorsOf'
  | 'iterateVectors'
  | 'vectorsAfter'
>;

/**
 * The vector methods over an open retrieval database. Chunk vectors are those cached under `identity`
 * (null: keyword-only, no vectors); `batch` runs writes in one transaction (RetrievalStore.batch).
 */
export function createSqliteRetrievalVectors(
  db: Database,
  identity: EmbeddingIdentity | null,
  batch: (work: () => void) => void,
): RetrievalVectors {
  const provider = identity?.provider ?? '';
  const model = identity?.model ?? '';
  return {
    chunksWithoutVectors(domain, page) {
      return (
        db
          .query(
            `SELECT c.id, c.text, c.text_hash FROM chunks c LEFT JOIN embedding_cache e ON e.provider = ? AND e.model = ? AND e.text_hash = c.text_hash
             WHERE c.domain = ? AND c.id > ? AND e.text_hash IS NULL ORDER BY c.id LIMIT ?`,
          )
          .all(provider, model, domain, page?.afterId ?? 0, page?.limit ?? -1) as {
          id: number;
          text: string;
          text_hash: string;
        }[]
      ).map((row) => ({ id: row.id, text: row.text, textHash: row.text_hash }));
    },
    pruneCache() {
      db.query(
        'DELETE FROM embedding_cache WHERE NOT (provider = ? AND model = ? AND text_hash IN (SELECT text_hash FROM chunks))',
      ).run(provider, model);
    },
    cachedVectors(identity, textHashes) {
      const found = new Map<string, Float32Array>();
      const unique = [...new Set(textHashes)];
      for (let start = 0; start < unique.length; start += 500) {
        const part = unique.slice(start, start + 500);
        const rows = db
          .query<{ text_hash: string; vector: Uint8Array }, string[]>(
            `SELECT text_hash, vector FROM embedding_cache WHERE provider = ? AND model = ? AND text_hash IN (${placeholders(part.length)})`,
          )
          .all(identity.provider, identity.model, ...part);
        for (const row of rows) found.set(row.text_hash, fromBlob(row.vector));
      }
      return found;
    },
    cachedHashes(identity, textHashes) {
      const found = new Set<string>();
      const unique = [...new Set(textHashes)];
      for (let start = 0; start < unique.length; start += 500) {
        const part = unique.slice(start, start + 500);
        const rows = db
          .query<{ text_hash: string }, string[]>(
            `SELECT text_hash FROM embedding_cache WHERE provider = ? AND model = ? AND text_hash IN (${placeholders(part.length)})`,
          )
          .all(identity.provider, identity.model, ...part);
        for (const row of rows) found.add(row.text_hash);
      }
      return found;
    },
    cacheVectors(identity, entries, nowMs) {
      const insert = db.query(
        'INSERT OR IGNORE INTO embedding_cache (provider, model, text_hash, dims, vector, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      );
      batch(() => {
        for (const entry of entries)
          insert.run(
            identity.provider,
            identity.model,
            entry.textHash,
            entry.vector.length,
            toBlob(entry.vector),
            nowMs,
          );
      });
    },
    vectorsOf(ids) {
      const found = new Map<number, Float32Array>();
      const sql = (marks: string) =>
        `SELECT c.id, e.vector FROM chunks c JOIN embedding_cache e ON e.provider = ? AND e.model = ? AND e.text_hash = c.text_hash WHERE c.id IN (${marks})`;
      for (const row of selectByIds(db, ids, sql, (row: VectorRow) => row, [provider, model]))
        found.set(row.id, fromBlob(row.vector));
      return found;
    },
    *iterateVectors(domain) {
      const statement = db.query(
        'SELECT c.id, e.vector FROM chunks c JOIN embedding_cache e ON e.provider = ? AND e.model = ? AND e.text_hash = c.text_hash WHERE c.domain = ? ORDER BY c.id',
      );
      for (const row of statement.iterate(provider, model, domain) as IterableIterator<VectorRow>)
        yield [row.id, fromBlob(row.vector)] as [number, Float32Array];
    },
    vectorsAfter(domain, afterId, limit) {
      const statement = db.query<VectorRow, [string, string, string, number, number]>(
        'SELECT c.id, e.vector FROM chunks c JOIN embedding_cache e ON e.provider = ? AND e.model = ? AND e.text_hash = c.text_hash WHERE c.domain = ? AND c.id > ? ORDER BY c.id LIMIT ?',
      );
      const page: [number, Float32Array][] = [];
      for (const row of statement.iterate(provider, model, domain, afterId, limit))
        page.push([row.id, fromBlob(row.vector)]);
      return page;
    },
  };
}
