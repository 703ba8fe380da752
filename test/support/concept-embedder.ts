// A deterministic stand-in for an embedding model: words of one concept share a direction, other words hash by trigrams.

export type Embedder = (text: string) => number[];

/** Words a model would mostly ignore; they add nothing to a vector. */
const STOPWORDS = new Set(
  'a an the and or of to in on at for with by is are was were be it this that what which who how we i you me my our your please could would tell about any do does did from as also there'.split(
    ' ',
  ),
);

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function hashOf(text: string): number {
  let hash = 2166136261;
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 16777619);
  return hash >>> 0;
}

function direction(key: string, dims: number): Float64Array {
  const random = seeded(hashOf(key));
  const vector = new Float64Array(dims);
  let norm = 0;
  for (let index = 0; index < dims; index++) {
    const u = random() || 1e-12;
    vector[index] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
    norm += vector[index]! * vector[index]!;
  }
  norm = Math.sqrt(norm);
  for (let index = 0; index < dims; index++) vector[index]! /= norm;
  return vector;
}

/**
 * Builds an embedder over `concepts` (each a list of synonyms). A concept word adds its concept's
 * direction (weight 1) plus a little of its own spelling (character trigrams, weight 0.3), so a
 * misspelt word still lands near the right word; other words add only their trigrams (weight 0.5);
 * numbers and stopwords add nothing, as real models do poorly with exact codes.
 */
export function createConceptEmbedder(concepts: string[][], dims = 256): Embedder {
  const conceptOf = new Map<string, number>();
  concepts.forEach((words, index) => words.forEach((word) => conceptOf.set(word.toLowerCase(), index)));
  const cache = new Map<string, Float64Array>();
  const cached = (key: string) => {
    let vector = cache.get(key);
    if (!vector) cache.set(key, (vector = direction(key, dims)));
    return vector;
  };
  const addTrigrams = (sum: Float64Array, word: string, weight: number) => {
    const padded = `#${word}#`;
    const count = Math.max(1, padded.length - 2);
    for (let index = 0; index + 3 <= padded.length; index++) {
      const vector = cached(`tri:${padded.slice(index, index + 3)}`);
      for (let dim = 0; dim < dims; dim++) sum[dim]! += (vector[dim]! * weight) / Math.sqrt(count);
    }
  };
  return (text) => {
    const sum = new Float64Array(dims);
    const words = text
      .toLowerCase()
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean);
    for (const word of words) {
      if (STOPWORDS.has(word) || /^\d+$/.test(word)) continue;
      const concept = conceptOf.get(word);
      if (concept !== undefined) {
        const vector = cached(`concept:${concept}`);
        for (let dim = 0; dim < dims; dim++) sum[dim]! += vector[dim]!;
        addTrigrams(sum, word, 0.3);
      } else addTrigrams(sum, word, 0.5);
    }
    const norm = Math.hypot(...sum) || 1;
    return Array.from(sum, (value) => value / norm);
  };
}
