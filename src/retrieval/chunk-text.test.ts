import { describe, expect, it } from 'bun:test';
import { chunkText } from './chunk-text';

describe('chunkText', () => {
  it('yields no chunks for an empty or blank text', () => {
    expect(chunkText('', { chunkSize: 100, chunkOverlap: 10 })).toEqual([]);
    expect(chunkText('  \n\n \r\n', { chunkSize: 100, chunkOverlap: 10 })).toEqual([]);
  });

  it('packs whole lines and repeats trailing lines that fit in the overlap', () => {
    const text = ['aaaa', 'bbbb', 'cccc', 'dddd', 'eeee'].join('\n');
    expect(chunkText(text, { chunkSize: 14, chunkOverlap: 4 })).toEqual([
      { text: 'aaaa\nbbbb\ncccc', startLine: 1, endLine: 3 },
      { text: 'cccc\ndddd\neeee', startLine: 3, endLine: 5 },
    ]);
  });

  it('cuts one long line into windows that keep its line number', () => {
    const line = 'x'.repeat(250);
    const chunks = chunkText(`intro\n${line}\noutro`, { chunkSize: 100, chunkOverlap: 20 });
    expect(chunks.map((chunk) => [chunk.text.length, chunk.startLine, chunk.endLine])).toEqual([
      [5, 1, 1],
      [100, 2, 2],
      [100, 2, 2],
      [90, 2, 2],
      [5, 3, 3],
    ]);
    expect(chunks.every((chunk) => chunk.text.length <= 100)).toBe(true);
  });

  it('treats CRLF and CR as line breaks and never leaves a carriage return', () => {
    const chunks = chunkText('one\r\ntwo\rthree\r\n', { chunkSize: 64, chunkOverlap: 0 });
    expect(chunks).toEqual([{ text: 'one\ntwo\nthree\n', startLine: 1, endLine: 4 }]);
  });

  it('never splits a surrogate pair and keeps multibyte text intact', () => {
    const line = `${'😀'.repeat(60)}ü漢字`;
    const chunks = chunkText(line, { chunkSize: 25, chunkOverlap: 5 });
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(25);
      expect(chunk.text).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    }
    expect(chunks.at(-1)!.text.endsWith('ü漢字')).toBe(true);
    const covered = new Set(chunks.flatMap((chunk) => Array.from(chunk.text)));
    expect(covered).toEqual(new Set(Array.from(line)));
  });

  it('covers every non-blank line of a longer text in order', () => {
    const lines = Array.from({ length: 50 }, (_, index) => `line number ${index + 1} with some words`);
    const chunks = chunkText(lines.join('\n'), { chunkSize: 120, chunkOverlap: 40 });
    const seen = new Set<number>();
    for (const chunk of chunks) for (let line = chunk.startLine; line <= chunk.endLine; line++) seen.add(line);
    expect(seen.size).toBe(50);
    for (let index = 1; index < chunks.length; index++)
      expect(chunks[index]!.startLine).toBeGreaterThan(chunks[index - 1]!.startLine);
  });

  it('keeps the output of many tiny lines within a small multiple of the input, even past the allowed overlap', () => {
    const texts = ['a\n'.repeat(20_000), 'ab\n\n'.repeat(10_000), '\n'.repeat(40_000)];
    // The largest overlap the runtime config allows (half the chunk size), then one it refuses.
    for (const settings of [
      { chunkSize: 20_000, chunkOverlap: 10_000 },
      { chunkSize: 10_001, chunkOverlap: 10_000 },
    ]) {
      for (const text of texts) {
        const chunks = chunkText(text, settings);
        const total = chunks.reduce((sum, chunk) => sum + chunk.text.length, 0);
        expect(total).toBeLessThanOrEqual(3 * text.length + settings.chunkSize);
        for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(settings.chunkSize);
        const seen = new Set<number>();
        for (const chunk of chunks) for (let line = chunk.startLine; line <= chunk.endLine; line++) seen.add(line);
        const nonBlank = text.split('\n').flatMap((line, index) => (line.trim() ? [index + 1] : []));
        for (const line of nonBlank) expect(seen.has(line)).toBe(true);
      }
    }
  }, 5000);

  it('caps the overlap at half the chunk size', () => {
    const text = ['aaaa', 'bbbb', 'cccc', 'dddd', 'eeee', 'ffff'].join('\n');
    // An overlap of 9 would carry two lines (9 characters); half of 14 carries one.
    expect(chunkText(text, { chunkSize: 14, chunkOverlap: 9 })).toEqual(
      chunkText(text, { chunkSize: 14, chunkOverlap: 7 }),
    );
    expect(chunkText(text, { chunkSize: 14, chunkOverlap: 7 })).toEqual([
      { text: 'aaaa\nbbbb\ncccc', startLine: 1, endLine: 3 },
      { text: 'cccc\ndddd\neeee', startLine: 3, endLine: 5 },
      { text: 'eeee\nffff', startLine: 5, endLine: 6 },
    ]);
  });
});
