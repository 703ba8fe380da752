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

  it('sweeps only the temporary files an interrupted write leaves', () => {
    using temp = makeTempDir();
    mkdirSync(join(temp.path, 'deep', 'er'), { recursive: true });
    const stale = [join(temp.path, '.config.json.0123456789ab.tmp'), join(temp.path, 'deep', 'er', '.note.md.a1b2c3d4e5f6.tmp')];
    const kept = [join(temp.path, 'notes.tmp'), join(temp.path, '.hidden.tmp'), join(temp.path, 'deep', '.x.0123456789abc.tmp')];
    for (const path of [...stale, ...kept]) writeFileSync(path, 'x');
    expect(removeStaleTemporaryFiles(temp.path)).toBe(2);
    expect(readdirSync(temp.path, { recursive: true }).map(String).sort()).toEqual(['.hidden.tmp', 'deep', 'deep/.x.0123456789abc.tmp', 'deep/er', 'notes.tmp']);
  });
});
