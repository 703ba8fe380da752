// In-memory vector search: sign-bit codes (1 bit a dimension) scanned by Hamming distance, shortlist re-scored exactly.

export interface VectorHit {
  id: number;
  /** Exact cosine similarity from the stored float32 vector. */
  score: number;
}

/** Fetches the stored float32 vectors of `ids` (for exact re-scoring). */
export type ExactVectors = (ids: number[]) => Map<number, Float32Array>;

export interface VectorIndex {
  /** Live vectors (added minus removed). */
  readonly size: number;
  /** Removed rows still occupying space; rebuild when they dominate. */
  readonly removed: number;
  readonly dims: number;
  /** Bytes held by the codes, for the status endpoint and the benchmark. */
  readonly bytes: number;
  /**
   * The `limit` most similar vectors by exact cosine. Candidates are the `shortlist` nearest by
   * Hamming distance between sign codes of mean-centred vectors; when the index holds no more
   * than `shortlist` vectors every vector is scored exactly.
   */
  search(query: Float32Array, limit: number, shortlist: number, exact: ExactVectors): VectorHit[];
  /** Appends vectors (coded against the mean the index was built with); other lengths are skipped. */
  add(entries: Iterable<[number, Float32Array]>): void;
  /** Forgets chunk ids (their rows are skipped from then on). */
  remove(ids: Iterable<number>): void;
}

const MEAN_SAMPLE = 1024;

function popcount(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function normalized(vector: Float32Array): Float32Array {
  let norm = 0;
  for (let index = 0; index < vector.length; index++) norm += vector[index]! * vector[index]!;
  norm = Math.sqrt(norm);
  const result = new Float32Array(vector.length);
  if (norm > 0) for (let index = 0; index < vector.length; index++) result[index] = vector[index]! / norm;
  return result;
}

/** Cosine of two vectors of equal length; 0 when either has no length. */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index++) {
    dot += a[index]! * b[index]!;
    normA += a[index]! * a[index]!;
    normB += b[index]! * b[index]!;
  }
  return normA > 0 && normB > 0 ? dot / Math.sqrt(normA * normB) : 0;
}

function pad(vector: Float32Array, length: number): Float32Array {
  if (vector.length === length) return vector;
  const result = new Float32Array(length);
  result.set(vector);
  return result;
}

function encode(vector: Float32Array, mean: Float32Array, target: Int32Array, offset: number): void {
  const words = mean.length >>> 5;
  for (let word = 0; word < words; word++) {
    let bits = 0;
    const base = word << 5;
    for (let bit = 0; bit < 32; bit++) if (vector[base + bit]! > mean[base + bit]!) bits |= 1 << bit;
    target[offset + word] = bits;
  }
}

/**
 * Builds the index from `entries` (chunk id and vector). Vectors whose length differs from the
 * first one are skipped. Dimensions are padded to a multiple of 32 for the codes only.
 */
export function buildVectorIndex(entries: Iterable<[number, Float32Array]>): VectorIndex {
  let dims = 0;
  let padded = 0;
  let words = 0;
  let size = 0;
  let ids = new Int32Array(1024);
  let codes = new Int32Array(0);
  let mean = new Float32Array(0);
  const sample: [number, Float32Array][] = [];

  const append = (id: number, unit: Float32Array) => {
    if (size === ids.length) {
      const grownIds = new Int32Array(ids.length * 2);
      grownIds.set(ids);
      ids = grownIds;
    }
    if ((size + 1) * words > codes.length) {
      const grown = new Int32Array(Math.max(words * 1024, codes.length * 2));
      grown.set(codes);
      codes = grown;
    }
    ids[size] = id;
    encode(pad(unit, padded), mean, codes, size * words);
    size += 1;
  };
  const flushSample = () => {
    mean = new Float32Array(padded);
    for (const [, unit] of sample) for (let index = 0; index < dims; index++) mean[index]! += unit[index]! / sample.length;
    for (const [id, unit] of sample) append(id, unit);
    sample.length = 0;
  };

  for (const [id, vector] of entries) {
    if (dims === 0) {
      dims = vector.length;
      padded = Math.ceil(dims / 32) * 32;
      words = padded >>> 5;
    }
    if (vector.length !== dims || dims === 0) continue;
    const unit = normalized(vector);
    if (mean.length === 0) {
      sample.push([id, unit]);
      if (sample.length >= MEAN_SAMPLE) flushSample();
    } else append(id, unit);
  }
  if (mean.length === 0 && dims > 0) flushSample();

  let removed = 0;
  const rowOf = new Map<number, number>();
  for (let row = 0; row < size; row++) rowOf.set(ids[row]!, row);

  return {
    get size() {
      return size - removed;
    },
    get removed() {
      return removed;
    },
    get dims() {
      return dims;
    },
    get bytes() {
      return codes.byteLength + ids.byteLength;
    },
    add(entries) {
      for (const [id, vector] of entries) {
        if (dims === 0) {
          dims = vector.length;
          padded = Math.ceil(dims / 32) * 32;
          words = padded >>> 5;
          mean = new Float32Array(padded);
        }
        if (vector.length !== dims || rowOf.has(id)) continue;
        rowOf.set(id, size);
        append(id, normalized(vector));
      }
    },
    remove(removedIds) {
      for (const id of removedIds) {
        const row = rowOf.get(id);
        if (row === undefined) continue;
        rowOf.delete(id);
        ids[row] = -1;
        removed += 1;
      }
    },
    search(query, limit, shortlist, exact) {
      if (size - removed === 0 || query.length !== dims) return [];
      let candidates: number[];
      if (size - removed <= shortlist) {
        candidates = Array.from(ids.subarray(0, size)).filter((id) => id >= 0);
      } else {
        const unitQuery = normalized(query);
        const queryCode = new Int32Array(words);
        encode(pad(unitQuery, padded), mean, queryCode, 0);
        const distances = new Uint16Array(size);
        const histogram = new Uint32Array(padded + 1);
        for (let row = 0, offset = 0; row < size; row++) {
          let distance = 0;
          for (let word = 0; word < words; word++, offset++) distance += popcount(codes[offset]! ^ queryCode[word]!);
          // Removed rows sort last and never enter the shortlist.
          distances[row] = ids[row]! < 0 ? padded : distance;
          if (ids[row]! >= 0) histogram[distance]! += 1;
        }
        // The smallest distance whose cumulative count reaches the shortlist; ties at it fill the rest.
        let threshold = 0;
        for (let total = 0; threshold <= padded; threshold++) {
          total += histogram[threshold]!;
          if (total >= shortlist) break;
        }
        candidates = [];
        for (let row = 0; row < size; row++) if (distances[row]! < threshold && ids[row]! >= 0) candidates.push(ids[row]!);
        for (let row = 0; row < size && candidates.length < shortlist; row++) if (distances[row] === threshold && ids[row]! >= 0) candidates.push(ids[row]!);
      }
      const vectors = exact(candidates);
      const hits: VectorHit[] = [];
      for (const id of candidates) {
        const vector = vectors.get(id);
        if (vector) hits.push({ id, score: cosine(query, vector) });
      }
      hits.sort((a, b) => b.score - a.score || a.id - b.id);
      return hits.slice(0, limit);
    },
  };
}
