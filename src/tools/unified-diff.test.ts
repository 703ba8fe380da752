import { describe, expect, it } from 'bun:test';
import { applyHunks, parseUnifiedDiff, PatchError } from './unified-diff';

describe('unified diffs', () => {
  it('parses git-style headers, strips a/ b/, and applies hunks that moved', () => {
    const [patch] = parseUnifiedDiff('diff --git a/f.txt b/f.txt\nindex 1..2 100644\n--- a/f.txt\n+++ b/f.txt\n@@ -2,2 +2,2 @@\n b\n-c\n+C\n');
    expect([patch!.oldPath, patch!.newPath, patch!.hunks.length]).toEqual(['f.txt', 'f.txt', 1]);
    expect(applyHunks('new first line\na\nb\nc\nd\n', patch!.hunks, 'f.txt')).toBe('new first line\na\nb\nC\nd\n');
  });

  it('handles missing final newlines on either side', () => {
    const [add] = parseUnifiedDiff('--- x\n+++ x\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n');
    expect(applyHunks('a', add!.hunks, 'x')).toBe('a\n');
    const [drop] = parseUnifiedDiff('--- x\n+++ x\n@@ -1 +1 @@\n-a\n+b\n\\ No newline at end of file\n');
    expect(applyHunks('a\n', drop!.hunks, 'x')).toBe('b');
  });

  it('rejects malformed diffs and hunks whose context is missing', () => {
    expect(() => parseUnifiedDiff('just text')).toThrow(PatchError);
    expect(() => parseUnifiedDiff('--- x\n+++ x\n@@ -1,3 +1,3 @@\n a\n')).toThrow('Hunk is shorter than its header says');
    const [patch] = parseUnifiedDiff('--- x\n+++ x\n@@ -1 +1 @@\n-zzz\n+y\n');
    expect(() => applyHunks('a\n', patch!.hunks, 'x')).toThrow('Hunk 1 of x does not apply');
  });
});
