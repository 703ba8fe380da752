// The vector of a search's query: remembered in memory, read from the index's cache, or asked of the provider in time.
import { within } from '../shared/event-loop';
import type { AgentIndex } from './agent-index';
import type { EmbeddingHealth } from './embedding-health';
import { sha256 } from './retrieval-indexer';

const QUERY_CACHE_SIZE = 512;
/** What the wait for the provider gives when it had not answered in time. */
const LATE = Symbol('late');
/**
 * How long a search waits for its query's vector before answering from keywords: the provider's own limit is 3
 * attempts of 20 s, and a search held that long lost its connection (a slow provider). A vector that comes later is
 * kept for the next search of the same text.
 */
export const QUERY_VECTOR_WAIT_MS = 5000;

/** A search's query vector, or null for a keyword-only search; `late` when the provider had not answered in time. */
export interface QueryVector {
  vector: Float32Array | null;
  late: boolean;
}

/**
 * The vector of `text`, of `dims` numbers (those of the domain's vectors) unless the provider answers with another
 * length, or null for a keyword-only search; waits for the provider `waitMs` at most (default: the one at creation).
 */
export type QueryVectors = (index: AgentIndex, text: string, dims: number, waitMs?: number) => Promise<QueryVector>;

export function createQueryVectors(health: EmbeddingHealth, waitMs = QUERY_VECTOR_WAIT_MS): QueryVectors {
  // Recent query vectors, in memory only: searches never write to the index database.
  const remembered = new Map<string, Float32Array>();
  // Asked of the provider and not answered yet: the same text searched meanwhile waits for that request.
  const asking = new Map<string, Promise<Float32Array | null>>();
  const remember = (text: string, vector: Float32Array) => {
    remembered.set(text, vector);
    if (remembered.size > QUERY_CACHE_SIZE) remembered.delete(remembered.keys().next().value!);
  };
  return async (index, text, dims, wait = waitMs) => {
    const embedder = health.embedder;
    if (!embedder) return { vector: null, late: false };
    const known = remembered.get(text);
    remembered.delete(text);
    // One of another length (a provider wrong for a while) is forgotten and asked for again.
    if (known?.length === dims) {
      remembered.set(text, known);
      return { vector: known, late: false };
    }
    // A query equal to a chunk text (or imported from a legacy index) is already in the store's cache.
    const hash = sha256(text);
    const stored = index.store.cachedVectors(embedder.identity, [hash]).get(hash);
    if (stored?.length === dims) return { vector: stored, late: false };
    if (!health.canEmbed()) return { vector: null, late: false };
    let asked = asking.get(text);
    if (!asked) {
      asked = embedder
        .embed([text])
        .then(
          ([vector]) => {
            if (vector) remember(text, vector);
            return vector ?? null;
          },
          // Recorded by the health tracker; this search answers from keywords.
          () => null,
        )
        .finally(() => asking.delete(text));
      asking.set(text, asked);
    }
    const vector = await within(asked, wait, LATE);
    // One of another length is the caller's to report (a new model behind the name) and to search without.
    return vector === LATE ? { vector: null, late: true } : { vector, late: false };
  };
}
