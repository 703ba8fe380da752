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

interface Line {
  text: string;
  number: number;
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
function splitLongLine(line: Line, size: number, overlap: number): TextChunk[] {
  const chunks: TextChunk[] = [];
  const step = Math.max(1, size - overlap);
  for (let start = 0; start < line.text.length; ) {
    const end = safeEnd(line.text, start, size);
    chunks.push({ text: line.text.slice(start, end), startLine: line.number, endLine: line.number });
    if (end >= line.text.length) break;
    let next = start + Math.min(step, end - start);
    const code = line.text.charCodeAt(next);
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
 */
export function chunkText(text: string, settings: ChunkSettings): TextChunk[] {
  const size = Math.max(1, Math.floor(settings.chunkSize));
  const overlap = Math.max(0, Math.min(Math.floor(settings.chunkOverlap), size - 1));
  const lines: Line[] = text.split(/\r\n|\r|\n/).map((line, index) => ({ text: line, number: index + 1 }));
  const chunks: TextChunk[] = [];
  let current: Line[] = [];
  let length = 0;

  const emit = () => {
    if (current.length === 0) return;
    const body = current.map((line) => line.text).join('\n');
    if (body.trim()) chunks.push({ text: body, startLine: current[0]!.number, endLine: current.at(-1)!.number });
    // Carry the trailing lines that fit in the overlap into the next chunk.
    const carried: Line[] = [];
    let carriedLength = 0;
    for (let index = current.length - 1; index > 0; index--) {
      const added = current[index]!.text.length + (carried.length > 0 ? 1 : 0);
      if (carriedLength + added > overlap) break;
      carried.unshift(current[index]!);
      carriedLength += added;
    }
    current = carried;
    length = carriedLength;
  };

  for (const line of lines) {
    if (line.text.length > size) {
      emit();
      current = [];
      length = 0;
      for (const piece of splitLongLine(line, size, overlap)) if (piece.text.trim()) chunks.push(piece);
      continue;
    }
    const added = line.text.length + (current.length > 0 ? 1 : 0);
    if (length + added > size && current.length > 0) {
      const before = current.length;
      emit();
      // When the carried overlap alone leaves no room for this line, start afresh.
      if (length + line.text.length + (current.length > 0 ? 1 : 0) > size || current.length === before) {
        current = [];
        length = 0;
      }
    }
    length += line.text.length + (current.length > 0 ? 1 : 0);
    current.push(line);
  }
  if (current.length > 0 && !isCarriedOnly(current, chunks)) emit();
  return chunks;
}

/** True when `lines` only repeat the end of the last emitted chunk (nothing new to emit). */
function isCarriedOnly(lines: Line[], chunks: TextChunk[]): boolean {
  const last = chunks.at(-1);
  return last !== undefined && lines.at(-1)!.number <= last.endLine;
}
