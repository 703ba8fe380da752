// The lines of an import file, read as a stream: strict UTF-8 (bytes that are not refuse the file), BOM and CRs dropped.
import { createReadStream } from 'node:fs';
import { ImportRefused } from './import-check';

/**
 * Yields the lines of `path` without their `\n` (or `\r\n`), reading it in chunks. A leading BOM is dropped. Bytes
 * that are not UTF-8 throw ImportRefused naming about where: read leniently, they became U+FFFD in the rows stored,
 * the text changed without a word.
 */
export async function* readImportLines(path: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  let number = 0;
  const decode = (chunk?: Buffer) => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      throw new ImportRefused(`the file is not UTF-8 text (near line ${number + 1})`);
    }
  };
  const lines = function* (text: string) {
    // What was pending holds no line end: only the new text is searched, so a long line costs its length once.
    const from = pending.length;
    pending += text;
    let end = pending.indexOf('\n', from);
    while (end !== -1) {
      number += 1;
      yield pending.slice(0, end > 0 && pending[end - 1] === '\r' ? end - 1 : end);
      pending = pending.slice(end + 1);
      end = pending.indexOf('\n');
    }
  };
  for await (const chunk of createReadStream(path)) yield* lines(decode(chunk as Buffer));
  yield* lines(decode());
  if (pending) yield pending.endsWith('\r') ? pending.slice(0, -1) : pending;
}
