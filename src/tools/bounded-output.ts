// Keeps the head and tail of a process's output in bounded memory, counting (and dropping) the middle.

export interface CapturedOutput {
  text: string;
  /** Every byte the process wrote to this stream. */
  totalBytes: number;
  /** Bytes dropped from the middle. */
  droppedBytes: number;
}

export interface OutputCollector {
  push(piece: Uint8Array): void;
  readonly totalBytes: number;
  finish(): CapturedOutput;
}

/** Buffers start this small and double up to their limit, so a call that prints little holds little. */
const FIRST_CAPACITY = 64 * 1024;

/**
 * The last `limit` bytes written, in one buffer used as a ring: the bytes are copied in, never the pieces kept
 * (a flood of one-byte writes kept a copy of each, 200 bytes of heap for every byte of output).
 */
function createByteRing(limit: number) {
  let buffer = new Uint8Array(Math.min(limit, FIRST_CAPACITY));
  let start = 0;
  let size = 0;
  const ordered = () =>
    start + size <= buffer.length
      ? buffer.subarray(start, start + size)
      : Buffer.concat([buffer.subarray(start), buffer.subarray(0, start + size - buffer.length)]);
  const grow = (needed: number) => {
    if (needed <= buffer.length || buffer.length === limit) return;
    let capacity = buffer.length;
    while (capacity < needed && capacity < limit) capacity = Math.min(limit, capacity * 2);
    const larger = new Uint8Array(capacity);
    larger.set(ordered());
    buffer = larger;
    start = 0;
  };
  return {
    get size() {
      return size;
    },
    /** Appends `piece`, dropping the oldest bytes past the limit; returns how many were dropped. */
    push(piece: Uint8Array): number {
      if (piece.length >= limit) {
        const dropped = size + piece.length - limit;
        grow(limit);
        buffer.set(piece.subarray(piece.length - limit));
        start = 0;
        size = limit;
        return dropped;
      }
      grow(size + piece.length);
      const dropped = Math.max(0, size + piece.length - limit);
      start = (start + dropped) % buffer.length;
      size -= dropped;
      const at = (start + size) % buffer.length;
      const first = Math.min(piece.length, buffer.length - at);
      buffer.set(piece.subarray(0, first), at);
      buffer.set(piece.subarray(first), 0);
      size += piece.length;
      return dropped;
    },
    bytes: ordered,
  };
}

/** Keeps at most `keep` bytes at each end; the marker in `finish` says how much was dropped between them. */
export function createOutputCollector(keep: number): OutputCollector {
  const head = createByteRing(keep);
  const tail = createByteRing(keep);
  let total = 0;
  let dropped = 0;
  return {
    get totalBytes() {
      return total;
    },
    push(chunk) {
      total += chunk.length;
      const toHead = Math.min(chunk.length, keep - head.size);
      if (toHead > 0) head.push(chunk.subarray(0, toHead));
      if (toHead < chunk.length) dropped += tail.push(chunk.subarray(toHead));
    },
    finish() {
      const decoder = new TextDecoder();
      const headText = decoder.decode(head.bytes());
      const tailText = decoder.decode(tail.bytes());
      const text = dropped > 0 ? `${headText}\n...[truncated ${dropped} bytes]...\n${tailText}` : headText + tailText;
      return { text, totalBytes: total, droppedBytes: dropped };
    },
  };
}
