// Every bare `catch {` in src/ either rethrows, logs, or says in a comment why swallowing the error is right.
import { describe, expect, it } from 'bun:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { makeTempDir } from '../support/temp-dir';

const SRC = join(import.meta.dir, '../../src');

/** The text between the braces of the block that opens at `open`, strings and comments skipped when counting. */
function blockBody(source: string, open: number): string {
  let depth = 0;
  for (let index = open; index < source.length; index++) {
    const char = source[index]!;
    if (char === '/' && source[index + 1] === '/') index = source.indexOf('\n', index);
    else if (char === "'" || char === '"' || char === '`') {
      for (index++; index < source.length && source[index] !== char; index++) if (source[index] === '\\') index++;
    } else if (char === '{') depth++;
    else if (char === '}' && --depth === 0) return source.slice(open + 1, index);
    if (index < 0) break;
  }
  return source.slice(open + 1);
}

/** `path:line` (relative to src/) of every bare catch whose block neither throws, nor logs, nor carries a comment. */
function silentCatches(files: Iterable<string>): string[] {
  const found: string[] = [];
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/\bcatch\s*\{/g)) {
      const body = blockBody(source, match.index + match[0].length - 1);
      if (/\bthrow\b|\blogger\.|\/\/|\/\*/.test(body)) continue;
      found.push(`${relative(SRC, file)}:${source.slice(0, match.index).split('\n').length}`);
    }
  }
  return found;
}

describe('bare catch blocks in src/', () => {
  it('each rethrows, logs, or says why swallowing is right', () => {
    const files = [...new Bun.Glob('**/*.ts').scanSync({ cwd: SRC, absolute: true })].filter(
      (file) => !file.endsWith('.test.ts'),
    );
    expect(files.length).toBeGreaterThan(100);
    expect(silentCatches(files)).toEqual([]);
  });

  it('finds a silent one and accepts the three honest forms', () => {
    using dir = makeTempDir('moc-catches-');
    const cases = {
      'silent.ts': 'try { a(); } catch { return null; }\n',
      'comment.ts': 'try { a(); } catch {\n  // Gone already: nothing to undo.\n}\n',
      'rethrow.ts': "try { a(); } catch { throw new AppError('not_found', 'x'); }\n",
      'logs.ts': "try { a(); } catch { logger.warn('a failed'); }\n",
      'brace-in-string.ts': "try { a(); } catch { return '}'; }\n",
    };
    for (const [name, text] of Object.entries(cases)) writeFileSync(join(dir.path, name), text);
    const found = silentCatches(Object.keys(cases).map((name) => join(dir.path, name))).map((entry) =>
      entry.split('/').pop(),
    );
    expect(found.sort()).toEqual(['brace-in-string.ts:1', 'silent.ts:1']);
  });
});
