import { describe, expect, it } from 'bun:test';
import { cosine } from './vector-codes';
import { buildVectorIndex } from './vector-index';

function seeded(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 4294967296 - 0.5;
  };
}

describe('buildVectorIndex', () => {
  it('scores every vector exactly when the index is no larger than the shortlist', () => {
    const vectors = new Map<number, Float32Array>([
      [1, Float32Array.from([1, 0, 0])],
      [2, Float32Array.from([0.7, 0.7, 0])],
      [3, Float32Array.from([0, 0, 1])],
      [4, Float32Array.from([1, 1])], // other dimensions: skipped
    ]);
    const index = buildVectorIndex(vectors.entries());
    expect(index.size).toBe(3);
    const hits = index.search(
      Float32Array.from([1, 0.1, 0]),
      2,
      10,
      (ids) => new Map(ids.map((id) => [id, vectors.get(id)!])),
    );
    expect(hits.map((hit) => hit.id)).toEqual([1, 2]);
    expect(hits[0]!.score).toBeCloseTo(cosine(Float32Array.from([1, 0.1, 0]), vectors.get(1)!), 6);
    expect(index.search(Float32Array.from([1, 0]), 2, 10, () => new Map())).toEqual([]);
  });

  it('finds the exact top 10 through the Hamming shortlist on clustered data', () => {
    const random = seeded(42);
    const dims = 96;
    const centres = Array.from({ length: 50 }, () => Float32Array.from({ length: dims }, random));
    const vectors = new Map<number, Float32Array>();
    for (let id = 1; id <= 5000; id++) {
      const centre = centres[id % centres.length]!;
      vectors.set(
        id,
        Float32Array.from(centre, (value) => value + random() * 0.8 + 0.3),
      );
    }
    const index = buildVectorIndex(vectors.entries());
    let recall = 0;
    for (let trial = 0; trial < 20; trial++) {
      const query = Float32Array.from(vectors.get(1 + trial * 97)!, (value) => value + random() * 0.5);
      const exact = [...vectors]
        .map(([id, vector]) => [id, cosine(query, vector)] as const)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 10)
        .map(([id]) => id);
      const hits = index.search(query, 10, 400, (ids) => new Map(ids.map((id) => [id, vectors.get(id)!])));
      recall += hits.filter((hit) => exact.includes(hit.id)).length / 10;
    }
    expect(recall / 20).toBeGreaterThanOrEqual(0.95);
  });

  it('takes added vectors and forgets removed ones without a rebuild', () => {
    const vectors = new Map<number, Float32Array>();
    const random = seeded(7);
    for (let id = 1; id <= 600; id++) vectors.set(id, Float32Array.from({ length: 64 }, random));
    const index = buildVectorIndex([...vectors].slice(0, 500));
    const exact = (ids: number[]) => new Map(ids.map((id) => [id, vectors.get(id)!]));
    index.add([...vectors].slice(500));
    index.remove([1, 2, 3, 999]);
    expect([index.size, index.removed]).toEqual([597, 3]);
    const added = vectors.get(555)!;
    expect(index.search(added, 1, 50, exact)[0]!.id).toBe(555);
    expect(index.search(vectors.get(2)!, 10, 50, exact).map((hit) => hit.id)).not.toContain(2);
    expect(index.search(vectors.get(2)!, 10, 1000, exact).map((hit) => hit.id)).not.toContain(2);
  });
});
