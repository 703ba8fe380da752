import { describe, expect, it } from 'bun:test';
import { closeSync, mkdirSync, mkdtempSync, openSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../shared/app-error';
import { assertOpenedAt, guardPath, recheckGuardedPath } from './path-guard';

function reasonFor(root: string, path: string): string | undefined {
  try {
    guardPath(root, path);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).details?.reason as string;
  }
}

describe('guardPath', () => {
  const root = mkdtempSync(join(tmpdir(), 'guard-'));
  const outside = mkdtempSync(join(tmpdir(), 'outside-'));
  mkdirSync(join(root, 'memory'));
  symlinkSync(outside, join(root, 'memory', 'out'));
  symlinkSync(join(outside, 'nothing-here'), join(root, 'memory', 'dangling'));
  symlinkSync(join(root, 'memory'), join(root, 'inside-link'));

  it('accepts plain relative paths, existing or not', () => {
    expect(guardPath(root, 'memory/MEMORY.md').relative).toBe('memory/MEMORY.md');
    expect(guardPath(root, 'memory/new/deep/file.md').relative).toBe('memory/new/deep/file.md');
    expect(guardPath(root, './memory//x.md').relative).toBe('memory/x.md');
    expect(guardPath(root, 'inside-link/x.md').relative).toBe('memory/x.md');
  });

  it('refuses unsafe spellings with a reason', () => {
    expect(reasonFor(root, '')).toBe('Path must not be empty');
    expect(reasonFor(root, '/etc/passwd')).toBe('Absolute paths are not allowed');
    expect(reasonFor(root, '../x')).toBe("Parent directory traversal '..' is not allowed");
    expect(reasonFor(root, 'memory/../../x')).toBe("Parent directory traversal '..' is not allowed");
    expect(reasonFor(root, 'memory\\..\\x')).toBe('Backslashes are not allowed');
    expect(reasonFor(root, 'memory/a\0b')).toBe('Path must not contain NUL bytes');
    expect(reasonFor(root, 'C:/x')).toBe('Absolute paths are not allowed');
  });

  it('refuses symlinks that resolve outside the root, dangling ones too', () => {
    expect(reasonFor(root, 'memory/out/x.md')).toContain('Path escapes workspace root');
    expect(reasonFor(root, 'memory/out')).toContain('Path escapes workspace root');
    expect(reasonFor(root, 'memory/dangling')).toBe('Dangling symbolic links are not followed');
  });

  it('refuses a dangling link whose text only looks inside (l -> b/missing/.. with b -> /)', () => {
    mkdirSync(join(root, 'workspace'));
    symlinkSync('/', join(root, 'workspace', 'b'));
    symlinkSync('b/missing/..', join(root, 'workspace', 'l'));
    for (const path of ['workspace/l/etc/hostname', 'workspace/l', 'workspace/l/new/file.md']) {
      expect(reasonFor(root, path)).toBe('Dangling symbolic links are not followed');
    }
    expect(reasonFor(root, 'workspace/b/etc/hostname')).toContain('Path escapes workspace root');
  });

  it('notices a path that changed between the guard and its use', () => {
    mkdirSync(join(root, 'swap', 'dir'), { recursive: true });
    const guarded = guardPath(root, 'swap/dir/file.md');
    expect(() => recheckGuardedPath(root, guarded)).not.toThrow();
    rmSync(join(root, 'swap', 'dir'), { recursive: true });
    symlinkSync(outside, join(root, 'swap', 'dir'));
    expect(() => recheckGuardedPath(root, guarded)).toThrow('Path escapes workspace root');
  });
});

describe('assertOpenedAt', () => {
  it('accepts the file the guard resolved and refuses any other', () => {
    const root = mkdtempSync(join(tmpdir(), 'opened-'));
    const outside = mkdtempSync(join(tmpdir(), 'opened-out-'));
    writeFileSync(join(root, 'in.txt'), 'in');
    writeFileSync(join(outside, 'out.txt'), 'out');
    const inside = openSync(join(root, 'in.txt'), 'r');
    const elsewhere = openSync(join(outside, 'out.txt'), 'r');
    try {
      expect(() => assertOpenedAt(inside, join(realpathSync(root), 'in.txt'), 'in.txt')).not.toThrow();
      expect(() => assertOpenedAt(elsewhere, join(realpathSync(root), 'in.txt'), 'in.txt')).toThrow(
        'Path escapes workspace root',
      );
    } finally {
      closeSync(inside);
      closeSync(elsewhere);
    }
  });
});
