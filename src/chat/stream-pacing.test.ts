import { describe, expect, test } from 'bun:test';
import { pacedStream } from './stream-pacing';

const chunk = (content?: string) => ({
  choices: [{ delta: content === undefined ? { role: 'assistant' } : { content } }],
});

/** A stream that notes, before each chunk is pulled, how many event-loop turns (setImmediate callbacks) ran so far. */
function probedSource(chunks: unknown[], pulls: number[], turns: { count: number }) {
  return (async function* () {
    for (const item of chunks) {
      pulls.push(turns.count);
      yield item;
    }
  })();
}

/** Counts event-loop turns while `body` runs. */
async function countingTurns<T>(body: (turns: { count: number }) => Promise<T>): Promise<T> {
  const turns = { count: 0 };
  let running = true;
  const tick = () => {
    turns.count += 1;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  try {
    return await body(turns);
  } finally {
    running = false;
  }
}

describe('pacedStream', () => {
  test('passes every chunk through unchanged and in order', async () => {
    const chunks = [chunk(), chunk('a'), chunk('b'), { choices: [] }, 'not a chunk', null];
    const seen: unknown[] = [];
    for await (const item of pacedStream(
      (async function* () {
        yield* chunks;
      })(),
    ))
      seen.push(item);
    expect(seen).toEqual(chunks);
  });

  test('returns to the event loop after the first chunk with output, before pulling the next one', async () => {
    const pulls: number[] = [];
    await countingTurns(async (turns) => {
      // A slice longer than the test: only the first output triggers a pause.
      for await (const _ of pacedStream(
        probedSource([chunk(), chunk('a'), chunk('b'), chunk('c')], pulls, turns),
        60_000,
      ));
    });
    // Pulled without a pause up to the first text; then at least two event-loop turns; then no pause again.
    expect(pulls[1]).toBe(pulls[0]!);
    expect(pulls[2]! - pulls[1]!).toBeGreaterThanOrEqual(2);
    expect(pulls[3]).toBe(pulls[2]!);
  });

  test('a tool call or reasoning counts as output, a role-only chunk does not', async () => {
    for (const delta of [{ tool_calls: [{ index: 0 }] }, { reasoning_content: 'hm' }]) {
      const pulls: number[] = [];
      await countingTurns(async (turns) => {
        const source = probedSource([chunk(), { choices: [{ delta }] }, chunk('x')], pulls, turns);
        for await (const _ of pacedStream(source, 60_000));
      });
      expect(pulls[1]).toBe(pulls[0]!);
      expect(pulls[2]! - pulls[1]!).toBeGreaterThanOrEqual(2);
    }
  });

  test('pauses again once a slice has passed while chunks keep coming', async () => {
    const pulls: number[] = [];
    await countingTurns(async (turns) => {
      const slow = (async function* () {
        for (const item of [chunk('a'), chunk('b'), chunk('c')]) {
          pulls.push(turns.count);
          yield item;
        }
      })();
      // A slice of 0 ms: every chunk is followed by a pause.
      for await (const _ of pacedStream(slow, 0));
    });
    expect(pulls[1]! - pulls[0]!).toBeGreaterThanOrEqual(2);
    expect(pulls[2]! - pulls[1]!).toBeGreaterThanOrEqual(2);
  });
});
