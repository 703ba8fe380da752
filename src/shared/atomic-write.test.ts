import { describe, expect, it } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../test/support/temp-dir';
import { writeFileAtomic } from './atomic-write';

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
});
