import { describe, expect, it } from 'bun:test';
import { heapStats } from 'bun:jsc';
import { createOutputCollector } from './bounded-output';

const bytes = (text: string) => new TextEncoder().encode(text);

/** Pushes `text` in pieces of `size` bytes. */
function pushInPieces(collector: ReturnType<typeof createOutputCollector>, text: string, size: number): void {
  const all = bytes(text);
  for (let at = 0; at < all.length; at += size) collector.push(all.subarray(at, at + size));
}

describe('createOutputCollector', () => {
  it('keeps everything up to twice the limit', () => {
    const collector = createOutputCollector(5);
    pushInPieces(collector, 'abcdefghij', 3);
    expect(collector.finish()).toEqual({ text: 'abcdefghij', totalBytes: 10, droppedBytes: 0 });
  });

  it('keeps the head and the tail and counts the middle, whatever the pieces', () => {
    const text = Array.from({ length: 1000 }, (_, index) => String(index % 10)).join('');
    for (const size of [1, 2, 7, 10, 99, 100, 101, 1000]) {
      const collector = createOutputCollector(100);
      pushInPieces(collector, text, size);
      expect([size, collector.finish()]).toEqual([
        size,
        {
          text: `${text.slice(0, 100)}\n...[truncated 800 bytes]...\n${text.slice(-100)}`,
          totalBytes: 1000,
          droppedBytes: 800,
        },
      ]);
    }
  });

  it('grows its buffers up to the limit, also when a piece overflows a buffer that is still growing', () => {
    const text = Array.from({ length: 210_000 }, (_, index) => String.fromCharCode(97 + (index % 26))).join('');
    const collector = createOutputCollector(100_000);
    for (const [from, to] of [
      [0, 100_000],
      [100_000, 160_000],
      [160_000, 210_000],
    ] as const)
      collector.push(bytes(text.slice(from, to)));
    expect(collector.finish()).toEqual({
      text: `${text.slice(0, 100_000)}\n...[truncated 10000 bytes]...\n${text.slice(-100_000)}`,
      totalBytes: 210_000,
      droppedBytes: 10_000,
    });
  });

  it('does not keep a reference to the pieces it was given', () => {
    const collector = createOutputCollector(4);
    const piece = bytes('abcdefghijkl');
    collector.push(piece);
    piece.fill(0x2a);
    expect(collector.finish().text).toBe('abcd\n...[truncated 4 bytes]...\nijkl');
  });

  it('holds a flood of one-byte writes in memory proportional to the limit, not to the number of writes', () => {
    Bun.gc(true);
    const before = heapStats();
    const collector = createOutputCollector(100_000);
    const one = new Uint8Array([0x78]);
    for (let index = 0; index < 500_000; index++) collector.push(one);
    Bun.gc(true);
    const after = heapStats();
    const arraysKept = (after.objectTypeCounts.Uint8Array ?? 0) - (before.objectTypeCounts.Uint8Array ?? 0);
    // A copy of each one-byte piece held 200,000 arrays and 15 MB of heap for 200 KB of output.
    expect(arraysKept).toBeLessThan(10);
    expect(after.heapSize - before.heapSize).toBeLessThan(4 * 1024 * 1024);
    expect(collector.finish()).toEqual(expect.objectContaining({ totalBytes: 500_000, droppedBytes: 300_000 }));
  });
});
