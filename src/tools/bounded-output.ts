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

/** Keeps at most `keep` bytes at each end; the marker in `finish` says how much was dropped between them. */
export function createOutputCollector(keep: number): OutputCollector {
  const head: Uint8Array[] = [];
  let headSize = 0;
  let tail: Uint8Array[] = [];
  let tailSize = 0;
  let total = 0;
  let dropped = 0;
  return {
    get totalBytes() {
      return total;
    },
    push(chunk) {
      total += chunk.length;
      let piece = chunk;
      if (headSize < keep) {
        const take = piece.subarray(0, keep - headSize);
        head.push(take.slice());
        headSize += take.length;
        piece = piece.subarray(take.length);
      }
      if (piece.length === 0) return;
      // Only the last `keep` bytes of a big piece can matter; copy them so the chunk itself can be freed.
      if (piece.length > keep) {
        dropped += piece.length - keep + tailSize;
        tail = [piece.slice(piece.length - keep)];
        tailSize = keep;
        return;
      }
      tail.push(piece.slice());
      tailSize += piece.length;
      while (tailSize > keep) {
        const excess = tailSize - keep;
        const first = tail[0]!;
        if (first.length <= excess) {
          tail.shift();
          tailSize -= first.length;
          dropped += first.length;
        } else {
          tail[0] = first.subarray(excess);
          tailSize -= excess;
          dropped += excess;
        }
      }
    },
    finish() {
      const decoder = new TextDecoder();
      const headText = decoder.decode(Buffer.concat(head));
      const tailText = decoder.decode(Buffer.concat(tail));
      const text = dropped > 0 ? `${headText}\n...[truncated ${dropped} bytes]...\n${tailText}` : headText + tailText;
      return { text, totalBytes: total, droppedBytes: dropped };
    },
  };
}
