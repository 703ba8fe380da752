// Line-aware chunking: whole lines packed up to `chunkSize` characters, with `chunkOverlap` characters of trailing lines repeated.

export interface TextChunk {
  text: string;
  /** 1-based first line of the chunk. */
  startLine: number;
  /** 1-based last line of the chunk (inclusive). */
  endLine: number;
}

export interface ChunkSettings {
  chunkSize: number;
  chunkOverlap: number;
}

/** Cuts `text` at `size` code units without splitting a surrogate pair. */
function safeEnd(text: string, start: number, size: number): number {
  let end = Math.min(text.length, start + size);
  if (end < text.length && end > start + 1) {
    const code = text.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  }
  return end;
}

/** Pieces of one over-long line: windows of `size` characters advancing by `size - overlap`. */
function splitLongLine(text: string, lineNumber: number, size: number, overlap: number): TextChunk[] {
  const chunks: TextChunk[] = [];
  const step = Math.max(1, size - overlap);
  for (let start = 0; start < text.length; ) {
    const end = safeEnd(text, start, size);
    chunks.push({ text: text.slice(start, end), startLine: lineNumber, endLine: lineNumber });
    if (end >= text.length) break;
    let next = start + Math.min(step, end - start);
    const code = text.charCodeAt(next);
    if (code >= 0xdc00 && code <= 0xdfff) next += 1;
    start = next;
  }
  return chunks;
}

/**
 * Splits `text` into chunks of whole lines. CRLF and CR count as line breaks (chunks use `\n`).
 * A chunk holds as many consecutive lines as fit in `chunkSize` characters (joined by `\n`);
 * the next chunk starts with the previous chunk's last lines that fit in `chunkOverlap`.
 * A line longer than `chunkSize` is cut into windows on its own. Blank-only chunks are dropped,
 * so an empty or whitespace-only text yields no chunks.
 *
 * The overlap is capped at half the chunk size (the runtime config refuses more): a chunk is emitted
 * only when the next line does not fit, so any two chunks in a row bring at least `chunkSize - chunkOverlap`
 * new characters, and the output stays within about three times the input plus one chunk.
 */
export function chunkText(text: string, settings: ChunkSettings): TextChunk[] {
  const size = Math.max(1, Math.floor(settings.chunkSize));
  const overlap = Math.max(0, Math.min(Math.floor(settings.chunkOverlap), Math.floor(size / 2)));
  const lines = text.split(/\r\n|\r|\n/);
  const chunks: TextChunk[] = [];
  // The current chunk is lines[first .. first + count), `length` characters once joined.
  let first = 0;
  let count = 0;
  let length = 0;

  const emit = () => {
    if (count === 0) return;
    const end = first + count;
    const body = lines.slice(first, end).join('\n');
    if (body.trim()) chunks.push({ text: body, startLine: first + 1, endLine: end });
    // Carry the trailing lines that fit in the overlap, never the first one (the next chunk must move on).
    let carriedFrom = end;
    let carriedLength = 0;
    while (carriedFrom - 1 > first) {
      const added = lines[carriedFrom - 1]!.length + (carriedFrom < end ? 1 : 0);
      if (carriedLength + added > overlap) break;
      carriedLength += added;
      carriedFrom -= 1;
    }
    first = carriedFrom;
    count = end - carriedFrom;
    length = carriedLength;
  };

  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.length > size) {
      emit();
      count = 0;
      length = 0;
      for (const piece of splitLongLine(line, index + 1, size, overlap)) if (piece.text.trim()) chunks.push(piece);
      continue;
    }
    if (count > 0 && length + 1 + line.length > size) {
      emit();
      // When the carried overlap alone leaves no room for this line, start afresh.
      if (count > 0 && length + 1 + line.length > size) {
        count = 0;
        length = 0;
      }
    }
    if (count === 0) first = index;
    length += line.length + (count > 0 ? 1 : 0);
    count += 1;
  }
  if (count > 0 && !isCarriedOnly(first + count, chunks)) emit();
  return chunks;
}

/** True when the chunk ending at line `lastLine` only repeats the end of the last emitted chunk (nothing new). */
function isCarriedOnly(lastLine: number, chunks: TextChunk[]): boolean {
  const last = chunks.at(-1);
  return last !== undefined && lastLine <= last.endLine;
}
