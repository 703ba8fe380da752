// In-memory vector search: sign-bit codes scanned by Hamming distance, refined in stages, shortlist re-scored exactly.
import { byteTables, cosine, encode, normalized, pad, popcount } from './vector-codes';

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
   * The `limit` most similar vectors by exact cosine. Stage 1 keeps the rows nearest by Hamming
   * distance between sign codes of mean-centred vectors (10 × `shortlist`, or a tenth of the rows
   * with an int8 copy); stage 2 ranks them by the float query against their codes; stage 3 (up to
   * 512 dimensions) re-ranks the best by an int8 copy. The `shortlist` best (fewer after stage 3)
   * are scored exactly from the stored vectors. An index of no more than `shortlist` vectors is
   * scored exactly throughout.
   */
  search(query: Float32Array, limit: number, shortlist: number, exact: ExactVectors): VectorHit[];
  /** Appends vectors (coded against the mean the index was built with); other lengths are skipped. */
  add(entries: Iterable<[number, Float32Array]>): void;
  /** Forgets chunk ids (their rows are skipped from then on). */
  remove(ids: Iterable<number>): void;
}

const MEAN_SAMPLE = 1024;
/** Hamming keeps this many times the shortlist for the finer asymmetric ranking. */
const WIDEN = 10;
const MAX_INT8_DIMS = 512;

/**
 * Builds the index from `entries` (chunk id and vector). Vectors whose length differs from the
 * first one are skipped. Dimensions are padded to a multiple of 32 for the codes only.
 */
export function buildVectorIndex(entries: Iterable<[number, Float32Array]>): VectorIndex {
  const builder = vectorIndexBuilder();
  for (const [id, vector] of entries) builder.push(id, vector);
  return builder.finish();
}

/** An index built a vector at a time (`push`), so a build can give the thread back between pages of vectors. */
export interface VectorIndexBuilder {
  push(id: number, vector: Float32Array): void;
  /** The index of what was pushed (as `buildVectorIndex` of them); the builder is not used after. */
  finish(): VectorIndex;
}

export function vectorIndexBuilder(): VectorIndexBuilder {
  let dims = 0;
  let padded = 0;
  let words = 0;
  let size = 0;
  let ids = new Int32Array(1024);
  let codes = new Int32Array(0);
  let mean = new Float32Array(0);
  // Up to 512 dimensions an int8 copy (1 byte a dimension, 51 MB at 100k × 512) refines the shortlist;
  // above that the sign codes alone rank well enough and the copy would cost too much memory.
  let quantized: Int8Array | null = null;
  let scales = new Float32Array(0);
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
    if (dims <= MAX_INT8_DIMS) {
      if (!quantized || (size + 1) * dims > quantized.length) {
        const grown = new Int8Array(Math.max(dims * 1024, (quantized?.length ?? 0) * 2));
        if (quantized) grown.set(quantized);
        quantized = grown;
        const grownScales = new Float32Array(grown.length / dims);
        grownScales.set(scales);
        scales = grownScales;
      }
      let largest = 0;
      for (let index = 0; index < dims; index++) largest = Math.max(largest, Math.abs(unit[index]!));
      const scale = largest > 0 ? largest / 127 : 1;
      scales[size] = scale;
      for (let index = 0, offset = size * dims; index < dims; index++)
        quantized[offset + index] = Math.round(unit[index]! / scale);
    }
    size += 1;
  };
  const flushSample = () => {
    mean = new Float32Array(padded);
    for (const [, unit] of sample)
      for (let index = 0; index < dims; index++) mean[index]! += unit[index]! / sample.length;
    for (const [id, unit] of sample) append(id, unit);
    sample.length = 0;
  };

  const push = (id: number, vector: Float32Array) => {
    if (dims === 0) {
      dims = vector.length;
      padded = Math.ceil(dims / 32) * 32;
      words = padded >>> 5;
    }
    if (vector.length !== dims || dims === 0) return;
    const unit = normalized(vector);
    if (mean.length === 0) {
      sample.push([id, unit]);
      if (sample.length >= MEAN_SAMPLE) flushSample();
    } else append(id, unit);
  };
  return { push, finish: () => finishIndex() };

  function finishIndex(): VectorIndex {
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
        return codes.byteLength + ids.byteLength + (quantized?.byteLength ?? 0) + scales.byteLength;
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
          // Stage 1: the `wide` nearest rows by Hamming distance (threshold from the histogram; ties fill up).
          // With an int8 copy re-ranking is cheap, so a tenth of the rows go on (Hamming alone is coarse at few dimensions).
          const wide = Math.min(
            size,
            quantized ? Math.max(shortlist * WIDEN, Math.ceil(size / 10)) : shortlist * WIDEN,
          );
          let threshold = 0;
          for (let total = 0; threshold <= padded; threshold++) {
            total += histogram[threshold]!;
            if (total >= wide) break;
          }
          const rows: number[] = [];
          for (let row = 0; row < size; row++) if (distances[row]! < threshold && ids[row]! >= 0) rows.push(row);
          for (let row = 0; row < size && rows.length < wide; row++)
            if (distances[row] === threshold && ids[row]! >= 0) rows.push(row);
          // Stage 2: rank those by the float query against their sign codes (asymmetric, far finer than
          // Hamming) through per-byte lookup tables.
          const tables = byteTables(pad(unitQuery, padded), mean);
          let scored = rows.map((row) => {
            let score = 0;
            for (let word = 0, offset = row * words, table = 0; word < words; word++, offset++, table += 1024) {
              const bits = codes[offset]!;
              score +=
                tables[table + (bits & 255)]! +
                tables[table + 256 + ((bits >>> 8) & 255)]! +
                tables[table + 512 + ((bits >>> 16) & 255)]! +
                tables[table + 768 + (bits >>> 24)]!;
            }
            return { row, score };
          });
          scored.sort((a, b) => b.score - a.score);
          // Stage 3 (up to 512 dimensions): the best of those again by the int8 copy, close to exact.
          if (quantized) {
            const values = quantized;
            scored = scored.slice(0, shortlist * 5).map(({ row }) => {
              let dot = 0;
              for (let index = 0, offset = row * dims; index < dims; index++, offset++)
                dot += unitQuery[index]! * values[offset]!;
              return { row, score: dot * scales[row]! };
            });
            scored.sort((a, b) => b.score - a.score);
          }
          // The int8 ranking is close to exact, so fewer stored vectors need reading.
          candidates = scored
            .slice(0, quantized ? Math.min(shortlist, Math.max(2 * limit, 64)) : shortlist)
            .map((item) => ids[item.row]!);
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
}
