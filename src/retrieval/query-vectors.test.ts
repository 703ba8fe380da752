import { describe, expect, it } from 'bun:test';
import type { AgentIndex } from './agent-index';
import type { EmbeddingHealth } from './embedding-health';
import { createQueryVectors } from './query-vectors';

describe('query vectors', () => {
  it('answers without a vector when the provider is slow, asks once for searches of one text, and keeps the vector that comes later', async () => {
    const answer = Promise.withResolvers<Float32Array[]>();
    let calls = 0;
    const health = {
      embedder: {
        identity: { provider: 'openai', model: 'embed' },
        embed: () => {
          calls += 1;
          return answer.promise;
        },
      },
      canEmbed: () => true,
    } as unknown as EmbeddingHealth;
    const index = { store: { cachedVectors: () => new Map() } } as unknown as AgentIndex;
    const queryVector = createQueryVectors(health, 20);
    // The provider has not answered within the wait: the searches go on from keywords, having asked once.
    const late = { vector: null, late: true };
    expect(await Promise.all([queryVector(index, 'slow query', 2), queryVector(index, 'slow query', 2)])).toEqual([
      late,
      late,
    ]);
    expect(calls).toBe(1);
    answer.resolve([new Float32Array([1, 0])]);
    await answer.promise;
    // Its vector, once it came, serves the next search of the same text without asking again.
    expect(await queryVector(index, 'slow query', 2)).toEqual({ vector: new Float32Array([1, 0]), late: false });
    expect(calls).toBe(1);
  });

  it('hands a query vector of another length than the index has to the caller to report, and does not keep using it', async () => {
    let answer = [new Float32Array([1, 0, 0])];
    let calls = 0;
    const health = {
      embedder: {
        identity: { provider: 'openai', model: 'embed' },
        embed: async () => {
          calls += 1;
          return answer;
        },
      },
      canEmbed: () => true,
    } as unknown as EmbeddingHealth;
    const index = { store: { cachedVectors: () => new Map() } } as unknown as AgentIndex;
    const queryVector = createQueryVectors(health, 1000);
    // The search reports it (a new model behind the name) and answers from keywords.
    expect(await queryVector(index, 'query', 2)).toEqual({ vector: new Float32Array([1, 0, 0]), late: false });
    // The provider is right again: the wrong vector is not reused, the text is asked for again.
    answer = [new Float32Array([0, 1])];
    expect(await queryVector(index, 'query', 2)).toEqual({ vector: new Float32Array([0, 1]), late: false });
    expect(calls).toBe(2);
  });
});
