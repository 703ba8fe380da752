import { describe, expect, it } from 'bun:test';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../test/support/temp-dir';
import { readAgentTextFile, readGuardedFile, removeGuardedFile, writeGuardedFile } from './guarded-io';
import { guardPath } from './path-guard';

/** An agent-like folder with workspace/d/f.txt, and a protected config.json at its top. */
function folder() {
  const temp = makeTempDir('guarded-io-');
  mkdirSync(join(temp.path, 'workspace', 'd'), { recursive: true });
  writeFileSync(join(temp.path, 'workspace', 'd', 'config.json'), 'inner');
  writeFileSync(join(temp.path, 'config.json'), 'PROTECTED');
  return temp;
}

/** What a concurrent tool call can do after the guard ran: make `workspace/d` a link to the agent folder. */
function swapToParent(root: string) {
  renameSync(join(root, 'workspace', 'd'), join(root, 'workspace', 'd-real'));
  symlinkSync('..', join(root, 'workspace', 'd'));
}

describe('guarded file operations', () => {
  it('read, write and remove the guarded file itself', () => {
    using temp = folder();
    const guarded = guardPath(temp.path, 'workspace/d/config.json');
    expect(readGuardedFile(guarded.absolute, guarded.relative)).toBe('inner');
    writeGuardedFile(guarded.absolute, 'changed', guarded.relative);
    expect(readFileSync(join(temp.path, 'workspace', 'd', 'config.json'), 'utf8')).toBe('changed');
    removeGuardedFile(guarded.absolute, guarded.relative);
    expect(existsSync(join(temp.path, 'workspace', 'd', 'config.json'))).toBe(false);
  });

  it('refuse to read, write or remove through a folder swapped for a link after the guard ran', () => {
    using temp = folder();
    const guarded = guardPath(temp.path, 'workspace/d/config.json');
    swapToParent(temp.path);
    expect(() => readGuardedFile(guarded.absolute, guarded.relative)).toThrow();
    expect(() => writeGuardedFile(guarded.absolute, '{"tool_sandbox":{"mode":"off"}}', guarded.relative)).toThrow();
    expect(() => removeGuardedFile(guarded.absolute, guarded.relative)).toThrow();
    expect(readFileSync(join(temp.path, 'config.json'), 'utf8')).toBe('PROTECTED');
  });

  it('never follow a link as the last component', () => {
    using temp = folder();
    const guarded = guardPath(temp.path, 'workspace/d/config.json');
    renameSync(join(temp.path, 'workspace', 'd', 'config.json'), join(temp.path, 'workspace', 'd', 'moved.json'));
    symlinkSync('../../config.json', join(temp.path, 'workspace', 'd', 'config.json'));
    expect(() => readGuardedFile(guarded.absolute, guarded.relative)).toThrow();
    removeGuardedFile(guarded.absolute, guarded.relative);
    expect(readFileSync(join(temp.path, 'config.json'), 'utf8')).toBe('PROTECTED');
  });

  it('refuse a FIFO or an oversized file swapped in for a regular one, without blocking', () => {
    using temp = folder();
    const guarded = guardPath(temp.path, 'workspace/d/config.json');
    rmSync(guarded.absolute);
    Bun.spawnSync(['mkfifo', guarded.absolute]);
    expect(() => readGuardedFile(guarded.absolute, guarded.relative)).toThrow('Not a regular file');
    rmSync(guarded.absolute);
    writeFileSync(guarded.absolute, 'x'.repeat(2048));
    expect(() => readGuardedFile(guarded.absolute, guarded.relative, 1024)).toThrow('File is too large');
  });

  it('create missing folders one by one inside the checked parent, never through a link', () => {
    using temp = folder();
    using outside = makeTempDir('guarded-io-out-');
    const guarded = guardPath(temp.path, 'workspace/d/new/deeper/file.txt');
    writeGuardedFile(guarded.absolute, 'ok', guarded.relative);
    expect(readFileSync(join(temp.path, 'workspace', 'd', 'new', 'deeper', 'file.txt'), 'utf8')).toBe('ok');
    const planned = guardPath(temp.path, 'workspace/e/evil/file.txt');
    symlinkSync(outside.path, join(temp.path, 'workspace', 'e'));
    expect(() => writeGuardedFile(planned.absolute, 'no', planned.relative)).toThrow();
    expect(existsSync(join(outside.path, 'evil'))).toBe(false);
  });
});

describe('readAgentTextFile', () => {
  it('reads only the head: at most one character past the limit, whole characters only', () => {
    using temp = makeTempDir('moc-agent-text-');
    mkdirSync(join(temp.path, 'workspace'));
    writeFileSync(join(temp.path, 'workspace', 'AGENTS.md'), 'é€😀a'.repeat(1000));
    expect(readAgentTextFile(temp.path, 'workspace/AGENTS.md', 5)).toBe('é€😀aé');
    expect(readAgentTextFile(temp.path, 'workspace/AGENTS.md')).toBe('é€😀a'.repeat(1000));
    writeFileSync(join(temp.path, 'workspace', 'SOUL.md'), 'short');
    expect(readAgentTextFile(temp.path, 'workspace/SOUL.md', 100)).toBe('short');
  });
});
