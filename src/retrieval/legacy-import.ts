// Imports the original's JSON indexes (storage/memory_index, storage/knowledge_index) into the embedding cache.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_STORAGE_FOLDER, LEGACY_INDEX_FOLDERS } from '../shared/agent-storage';
import { jsonField, jsonList } from '../shared/json-field';
import { NotRegularFileError, readRegularFile } from '../shared/regular-file';
import { sha256 } from './retrieval-indexer';
import type { RetrievalDomain } from './retrieval-search';
import type { RetrievalStore } from './retrieval-store.port';
import { toFloat32Vector } from './vector-codes';

export const LEGACY_INDEX_PATHS: Record<RetrievalDomain, string> = {
  memory: `${AGENT_STORAGE_FOLDER}/${LEGACY_INDEX_FOLDERS.memory}/index.json`,
  knowledge: `${AGENT_STORAGE_FOLDER}/${LEGACY_INDEX_FOLDERS.knowledge}/index.json`,
};

/**
 * A vector of numbers, as the embedding client keeps a provider's: a value float32 cannot hold is 0 (an Infinity
 * flattens every search's vector leg). A list with anything but numbers in it is no vector (leaving an item out
 * would shift every later value into another dimension).
 */
function floats(value: unknown): Float32Array | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  if (!value.every((item) => typeof item === 'number')) return null;
  return toFloat32Vector(value);
}

/** The string trimmed, or '' when `value` is not a string. */
function trimmed(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/**
 * On first use of a domain (no index_meta row yet), reads the original's JSON index and stores each
 * chunk's vector in the embedding cache under the provider and model it was made with (defaults
 * `openai` / `text-embedding-3-small`, as the original's). Chunks the new chunker reproduces (for
 * example a memory file shorter than one chunk) then need no new embedding call. Malformed files,
 * rows without text and rows without a numeric vector are skipped. Returns the number of vectors imported.
 * Throws NotRegularFileError (a storage fault, 503) when a FIFO, device or socket stands at the file's name.
 */
export function importLegacyIndex(
  store: RetrievalStore,
  agentRoot: string,
  domain: RetrievalDomain,
  nowMs: number,
): number {
  if (store.meta(domain)) return 0;
  const file = join(agentRoot, LEGACY_INDEX_PATHS[domain]);
  if (!existsSync(file)) return 0;
  let json: unknown;
  try {
    json = JSON.parse(readRegularFile(file));
  } catch (error) {
    // A FIFO or device there is refused, never waited on (a plain read blocked the whole server at start-up).
    if (error instanceof NotRegularFileError) throw error;
    // A legacy index that does not parse has nothing to import; the files are indexed anew.
    return 0;
  }
  if (typeof json !== 'object' || json === null) return 0;
  let pairs: { text: unknown; vector: Float32Array | null }[];
  if (domain === 'memory') {
    const chunks = jsonList(json, 'chunks');
    if (!chunks) return 0;
    const embeddings = jsonList(json, 'embeddings') ?? [];
    pairs = chunks.map((text, index) => ({ text, vector: floats(embeddings[index]) }));
  } else {
    const rows = jsonList(json, 'rows');
    if (!rows) return 0;
    pairs = rows
      .filter((row) => typeof row === 'object' && row !== null)
      .map((row) => ({ text: jsonField(row, 'text'), vector: floats(jsonField(row, 'embedding')) }));
  }
  const provider = trimmed(jsonField(json, 'embedding_provider')) || 'openai';
  let model = trimmed(jsonField(json, 'embedding_model')) || 'text-embedding-3-small';
  if (provider === 'google_ai_studio' && !model.startsWith('models/')) model = `models/${model}`;
  if (provider !== 'openai' && provider !== 'google_ai_studio') return 0;
  const entries = pairs.flatMap((pair) =>
    typeof pair.text === 'string' && pair.text && pair.vector
      ? [{ textHash: sha256(pair.text), vector: pair.vector }]
      : [],
  );
  if (entries.length > 0) store.cacheVectors({ provider, model }, entries, nowMs);
  return entries.length;
}
