// PostgreSQL adapter of SharedEmbeddingCache: one table every replica reads before calling the embedding provider.
import type { SQL } from 'bun';
import type { SharedEmbeddingCache } from '../embedding-cache.port';

/** A vector's bytes as stored (float32, little-endian as the machine writes them). */
const toBytes = (vector: Float32Array) => new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);

/** The bytes back as a vector, copied so it does not hold the driver's buffer. */
function toVector(bytes: Uint8Array): Float32Array {
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export function createPostgresEmbeddingCache(sql: SQL): SharedEmbeddingCache {
  return {
    async get(identity, textHashes) {
      if (textHashes.length === 0) return new Map();
      const rows: { text_hash: string; vector: Uint8Array }[] = await sql`SELECT text_hash, vector FROM embedding_cache
        WHERE provider = ${identity.provider} AND model = ${identity.model} AND text_hash IN ${sql(textHashes as string[])}`;
      return new Map(rows.map((row) => [row.text_hash, toVector(row.vector)]));
    },
    async put(identity, entries) {
      if (entries.length === 0) return;
      const rows = entries.map((entry) => ({
        provider: identity.provider,
        model: identity.model,
        text_hash: entry.textHash,
        vector: toBytes(entry.vector),
      }));
      await sql`INSERT INTO embedding_cache ${sql(rows)} ON CONFLICT DO NOTHING`;
    },
  };
}
