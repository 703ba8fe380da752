// Arithmetic of the sign-bit codes behind the vector index: encoding, Hamming, per-byte query tables, cosine.

/**
 * For each byte of a code (8 dimensions), the query's contribution for each of the 256 bit
 * patterns: the sum of ±(query − mean) over those dimensions, + where the bit is set.
 */
export function byteTables(query: Float32Array, mean: Float32Array): Float32Array {
  const bytes = query.length >>> 3;
  const tables = new Float32Array(bytes * 256);
  for (let byte = 0; byte < bytes; byte++) {
    const base = byte * 256;
    let allNegative = 0;
    for (let bit = 0; bit < 8; bit++) allNegative -= query[byte * 8 + bit]! - mean[byte * 8 + bit]!;
    tables[base] = allNegative;
    for (let pattern = 1; pattern < 256; pattern++) {
      const low = 31 - Math.clz32(pattern & -pattern);
      const centred = query[byte * 8 + low]! - mean[byte * 8 + low]!;
      tables[base + pattern] = tables[base + (pattern & (pattern - 1))]! + 2 * centred;
    }
  }
  return tables;
}

/** Whether `value` is a number a float32 holds as a finite number (1e39 is finite, but Infinity once stored). */
export function isFloat32(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(Math.fround(value));
}

/** `values` as a stored vector: an entry float32 cannot hold (or no number at all) is 0, not Infinity or NaN. */
export function toFloat32Vector(values: readonly unknown[]): Float32Array {
  return Float32Array.from(values, (value) => (isFloat32(value) ? value : 0));
}

export function popcount(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export function normalized(vector: Float32Array): Float32Array {
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

export function pad(vector: Float32Array, length: number): Float32Array {
  if (vector.length === length) return vector;
  const result = new Float32Array(length);
  result.set(vector);
  return result;
}

export function encode(vector: Float32Array, mean: Float32Array, target: Int32Array, offset: number): void {
  const words = mean.length >>> 5;
  for (let word = 0; word < words; word++) {
    let bits = 0;
    const base = word << 5;
    for (let bit = 0; bit < 32; bit++) if (vector[base + bit]! > mean[base + bit]!) bits |= 1 << bit;
    target[offset + word] = bits;
  }
}
