import { describe, expect, it } from 'bun:test';
import { Tiktoken } from 'js-tiktoken/lite';
import o200k from 'js-tiktoken/ranks/o200k_base';
import { countMerged } from './bpe-merge';
import { BpeTable } from './bpe-table';

const table = new BpeTable(o200k.bpe_ranks);
/** js-tiktoken's own vocabulary: rank → bytes, and bytes (joined by commas) → rank. */
const exact = new Tiktoken(o200k) as unknown as { textMap: Map<number, Uint8Array>; rankMap: Map<string, number> };

/** tiktoken's merge as written: rescan every adjacent pair, merge the lowest-ranked (leftmost among equals). */
function naiveCount(bytes: Uint8Array): number {
  if (exact.rankMap.has(bytes.join(','))) return 1;
  const bounds = Array.from({ length: bytes.length + 1 }, (_, index) => index);
  for (;;) {
    let best = -1;
    let bestRank = Number.POSITIVE_INFINITY;
    for (let index = 0; index + 2 < bounds.length; index++) {
      const rank = exact.rankMap.get(bytes.slice(bounds[index], bounds[index + 2]).join(','));
      if (rank !== undefined && rank < bestRank) [best, bestRank] = [index, rank];
    }
    if (best === -1) return bounds.length - 1;
    bounds.splice(best + 1, 1);
  }
}

describe('BpeTable', () => {
  it('finds every token of the vocabulary with its rank, also inside a longer buffer', () => {
    const wrong: number[] = [];
    for (const [rank, bytes] of exact.textMap) {
      const padded = new Uint8Array(bytes.length + 2);
      padded.set(bytes, 1);
      if (table.rankOf(bytes, 0, bytes.length) !== rank || table.rankOf(padded, 1, bytes.length + 1) !== rank)
        wrong.push(rank);
    }
    expect(exact.textMap.size).toBeGreaterThan(199_000);
    expect(wrong).toEqual([]);
  });

  it('answers -1 for byte strings that are not one token', () => {
    const utf8 = new TextEncoder();
    for (const text of ['zzqxjv', ' hello world and more', '😀😀😀😀'])
      expect(table.rankOf(utf8.encode(text), 0, utf8.encode(text).length)).toBe(-1);
    expect(table.rankOf(new Uint8Array(0), 0, 0)).toBe(-1);
  });
});

describe('countMerged', () => {
  it('merges as tiktoken does on random bytes, text fragments and long runs', () => {
    let seed = 11;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const samples: Uint8Array[] = [];
    for (let round = 0; round < 300; round++)
      samples.push(Uint8Array.from({ length: 1 + Math.floor(next() * 40) }, () => Math.floor(next() * 256)));
    const utf8 = new TextEncoder();
    // The last three merge to one token fewer when equal ranks go rightmost first.
    const texts = ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaa', ' '.repeat(300), 'supercalifragilistic', 'ünïcödé'];
    for (const text of [...texts, 'aaabaaaaaaaaa', 'babaaababaababababa', '=-aabab=-.aaaaaab=-a'])
      samples.push(utf8.encode(text));
    const wrong = samples.filter((bytes) => countMerged(table, bytes, bytes.length) !== naiveCount(bytes));
    expect(wrong).toEqual([]);
    expect(countMerged(table, new Uint8Array(8), 0)).toBe(0);
  });
});
