import { describe, expect, it } from 'bun:test';
import { ftsOrQuery, fuseLegs, queryTerms, selectHits } from './hybrid-search';

describe('queryTerms / ftsOrQuery', () => {
  it('folds case, splits like unicode61 and quotes each term, leaving diacritics to FTS5', () => {
    expect(queryTerms('Crème Brûlée, crème! wörld 東京')).toEqual(['crème', 'brûlée', 'wörld', '東京']);
    expect(ftsOrQuery('say "hi" OR NOT')).toBe('"say" OR "hi" OR "or" OR "not"');
    expect(ftsOrQuery(' !? ')).toBe('');
    // Marks belong to their words (Devanagari vowel signs); a decomposed query is composed as texts are stored.
    expect(queryTerms('हिंदी भाषा, Ελληνικά café ﬁnance')).toEqual(['हिंदी', 'भाषा', 'ελληνικά', 'café', 'ﬁnance']);
    expect(queryTerms('cafe\u0301')).toEqual(['café']);
  });
});

describe('fuseLegs', () => {
  const weights = { semanticWeight: 0.7, lexicalWeight: 0.3 };

  it('lets a keyword hit that stands out beat a flat vector leg (standard scores)', () => {
    const keyword = [{ id: 7, score: 9 }, ...Array.from({ length: 9 }, (_, index) => ({ id: 20 + index, score: 1 }))];
    const vector = Array.from({ length: 10 }, (_, index) => ({
      id: index === 0 ? 7 : 30 + index,
      score: 0.5 - index * 0.001,
    }));
    expect(fuseLegs(keyword, vector, weights, 'zscore')[0]!.id).toBe(7);
    const minmax = fuseLegs(
      [
        { id: 7, score: 9 },
        { id: 8, score: 1 },
      ],
      [
        { id: 9, score: 0.51 },
        { id: 7, score: 0.5 },
      ],
      weights,
      'minmax',
    );
    expect(minmax.map((hit) => [hit.id, Number(hit.score.toFixed(3))])).toEqual([
      [9, 0.7],
      [7, 0.3],
      [8, 0],
    ]);
  });

  it('ranks by weighted sum with stable ties and gives a chunk missing from a leg 0 there', () => {
    const fused = fuseLegs(
      [{ id: 2, score: 1 }],
      [{ id: 1, score: 0.9 }],
      { semanticWeight: 0.5, lexicalWeight: 0.5 },
      'rrf',
    );
    expect(fused).toEqual([
      { id: 1, keyword: 0, vector: 1, score: 0.5 },
      { id: 2, keyword: 1, vector: 0, score: 0.5 },
    ]);
  });
});

describe('selectHits', () => {
  // Five chunks holding the query's term, BM25 differing by their length: standard scores floor three at 0.
  const keyword = [9, 8, 3, 2, 1].map((score, index) => ({ id: index + 1, score }));
  const fused = fuseLegs(keyword, [], { semanticWeight: 0, lexicalWeight: 1 }, 'zscore');

  it('returns every keyword hit of a one-term query, those scored nothing after, in keyword order', () => {
    expect(fused.filter((hit) => hit.score > 0).map((hit) => hit.id)).toEqual([1, 2]);
    expect(selectHits(fused, keyword, 10, true).map((hit) => hit.id)).toEqual([1, 2, 3, 4, 5]);
    expect(selectHits(fused, keyword, 3, true).map((hit) => hit.id)).toEqual([1, 2, 3]);
  });

  it('keeps the cut for a many-term query, whose weak hits may match one common term only', () => {
    expect(selectHits(fused, keyword, 10, false).map((hit) => hit.id)).toEqual([1, 2]);
  });
});
