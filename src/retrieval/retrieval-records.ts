// The rows of a retrieval index as the store hands them out, and the float32 <-> BLOB codec of its vectors.

/** Bumped when the index layout changes in a way that needs a rebuild (kept in the index meta and the JSON file). */
export const RETRIEVAL_SCHEMA_VERSION = 1;

export interface IndexMeta {
  digest: string;
  schemaVersion: number;
  chunkSize: number;
  chunkOverlap: number;
  embeddingProvider: string;
  embeddingModel: string;
  embeddingDims: number;
  updatedMs: number;
}

export interface SourceRecord {
  path: string;
  contentHash: string;
  size: number;
  mtimeMs: number;
}

export interface ChunkRecord {
  startLine: number;
  endLine: number;
  text: string;
  textHash: string;
}

export interface StoredChunk {
  id: number;
  path: string;
  startLine: number;
  endLine: number;
  text: string;
}

export function toBlob(vector: Float32Array): Uint8Array {
  return new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);
}

export function fromBlob(blob: Uint8Array): Float32Array {
  if (blob.byteOffset % 4 === 0) return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4);
  return new Float32Array(blob.slice().buffer);
}
