import { describe, expect, it } from 'bun:test';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../test/support/temp-dir';
import { removeStaleTemporaryFiles, writeFileAtomic } from './atomic-write';

describe('atomic write', () => {
  it('replaces a file whole and leaves no temporary file', () => {
    using temp = makeTempDir();
    const path = join(temp.path, 'a', 'b.md');
    writeFileAtomic(path, 'one');
    writeFileAtomic(path, 'two');
    expect(readFileSync(path, 'utf8')).toBe('two');
    expect(readdirSync(join(temp.path, 'a'))).toEqual(['b.md']);
  });

  it('writes a name of 255 bytes: the temporary name is short whatever the target is called', () => {
    using temp = makeTempDir();
    const name = `${'n'.repeat(252)}.md`;
    writeFileAtomic(join(temp.path, name), 'one');
    writeFileAtomic(join(temp.path, name), 'two');
    expect(readdirSync(temp.path)).toEqual([name]);
    expect(readFileSync(join(temp.path, name), 'utf8')).toBe('two');
  });

  it('sweeps only the temporary files an interrupted write leaves', () => {
    using temp = makeTempDir();
    mkdirSync(join(temp.path, 'deep', 'er'), { recursive: true });
    const stale = [
      join(temp.path, '.moc-tmp-0123456789abcdef'),
      join(temp.path, 'deep', 'er', '.moc-tmp-a1b2c3d4e5f60718'),
    ];
    const kept = [
      'notes.tmp',
      '.hidden.tmp',
      '.x.0123456789ab.tmp',
      'deep/.moc-tmp-0123456789abcde',
      'deep/.moc-tmp-0123456789ABCDEF',
      'deep/.moc-tmp-0123456789abcdef.md',
    ];
    for (const path of [...stale, ...kept.map((name) => join(temp.path, name))]) writeFileSync(path, 'x');
    expect(removeStaleTemporaryFiles(temp.path)).toBe(2);
    expect(readdirSync(temp.path, { recursive: true }).map(String).sort()).toEqual(['deep', 'deep/er', ...kept].sort());
  });
});
