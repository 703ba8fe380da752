// Query terms for FTS5 and the fusion of the keyword and vector legs into one ranking.

/**
 * Lower-cased (NFC), split on anything that is not a letter, digit or mark, as FTS5 unicode61 splits; FTS5 folds each
 * quoted term as it folds the text (Latin diacritics), so the query keeps its own letters: removing every mark made
 * हिंदी हद, and compatibility forms (ﬁ, full-width letters) never matched themselves.
 */
export function queryTerms(query: string, max = 32): string[] {
  const folded = query.normalize('NFC').toLowerCase();
  const terms = folded.split(/[^\p{L}\p{N}\p{M}]+/u).filter(Boolean);
  return [...new Set(terms)].slice(0, max);
}

/** An FTS5 OR-query of the quoted terms ('' when there is none). */
export function ftsOrQuery(query: string): string {
  return queryTerms(query)
    .map((term) => `"${term.replaceAll('"', '""')}"`)
    .join(' OR ');
}

export type FusionMethod = 'minmax' | 'rrf' | 'zscore';

export interface LegHit {
  id: number;
  /** Higher is better: negated bm25 for the keyword leg, cosine for the vector leg. */
  score: number;
}

export interface FusedHit {
  id: number;
  score: number;
  keyword: number;
  vector: number;
}

export interface FusionWeights {
  semanticWeight: number;
  lexicalWeight: number;
}

/** Min-max into [0, 1]; a leg whose hits all score alike gives each of them 1. */
function minMax(hits: LegHit[]): Map<number, number> {
  const result = new Map<number, number>();
  if (hits.length === 0) return result;
  let low = Infinity;
  let high = -Infinity;
  for (const hit of hits) {
    low = Math.min(low, hit.score);
    high = Math.max(high, hit.score);
  }
  for (const hit of hits) result.set(hit.id, high > low ? (hit.score - low) / (high - low) : 1);
  return result;
}

/**
 * Standard scores over the leg's candidates, floored at 0: a candidate that stands out from the rest
 * (a rare keyword, a clearly closest vector) scores high, while a flat leg (every cosine alike)
 * cannot outvote a confident one, which min-max stretching would let it do. A leg of one hit, or of
 * equal scores, gives each hit 1.
 */
function standardScore(hits: LegHit[]): Map<number, number> {
  const result = new Map<number, number>();
  if (hits.length === 0) return result;
  const mean = hits.reduce((sum, hit) => sum + hit.score, 0) / hits.length;
  const deviation = Math.sqrt(hits.reduce((sum, hit) => sum + (hit.score - mean) ** 2, 0) / hits.length);
  for (const hit of hits) result.set(hit.id, deviation > 1e-12 ? Math.max(0, (hit.score - mean) / deviation) : 1);
  return result;
}

/** Reciprocal rank, scaled so that rank 1 gives 1 (k = 60 as in the RRF paper). */
function reciprocalRank(hits: LegHit[]): Map<number, number> {
  const sorted = [...hits].sort((a, b) => b.score - a.score || a.id - b.id);
  return new Map(sorted.map((hit, rank) => [hit.id, 61 / (61 + rank)]));
}

/**
 * Fuses the legs: `semantic_weight · vector + lexical_weight · keyword` over per-leg normalised
 * scores (a chunk missing from a leg gets 0 there). Ties break by chunk id, so results are stable.
 * `zscore` is the default: on the evaluation set it beats min-max and reciprocal rank (README).
 */
export function fuseLegs(
  keywordHits: LegHit[],
  vectorHits: LegHit[],
  weights: FusionWeights,
  method: FusionMethod = 'zscore',
): FusedHit[] {
  const normalise = method === 'rrf' ? reciprocalRank : method === 'zscore' ? standardScore : minMax;
  const keyword = normalise(keywordHits);
  const vector = normalise(vectorHits);
  const ids = new Set([...keyword.keys(), ...vector.keys()]);
  const fused: FusedHit[] = [];
  for (const id of ids) {
    const keywordScore = keyword.get(id) ?? 0;
    const vectorScore = vector.get(id) ?? 0;
    fused.push({
      id,
      keyword: keywordScore,
      vector: vectorScore,
      score: weights.semanticWeight * vectorScore + weights.lexicalWeight * keywordScore,
    });
  }
  return fused.sort((a, b) => b.score - a.score || a.id - b.id);
}

/**
 * The `limit` hits to return: those the fusion scored above nothing, best first. Standard scores floor a hit below
 * its leg's average at 0, a cut that keeps weak partial matches of a many-term query out; but when the query is one
 * term (`wholeQueryTerms`), every keyword hit holds the whole query, so those scored nothing follow, in the keyword
 * leg's own order (five files holding "zebra" gave three before).
 */
export function selectHits(
  fused: FusedHit[],
  keywordHits: LegHit[],
  limit: number,
  wholeQueryTerms: boolean,
): FusedHit[] {
  const chosen = fused.filter((hit) => hit.score > 0);
  if (wholeQueryTerms && chosen.length < limit) {
    const byId = new Map(fused.map((hit) => [hit.id, hit]));
    const taken = new Set(chosen.map((hit) => hit.id));
    for (const hit of [...keywordHits].sort((a, b) => b.score - a.score || a.id - b.id))
      if (!taken.has(hit.id)) chosen.push(byId.get(hit.id)!);
  }
  return chosen.slice(0, limit);
}
