import { describe, expect, it } from 'bun:test';
import { createHunkSearchBudget, MAX_LINE_COMPARISONS } from './hunk-search-budget';
import { applyHunks, parseUnifiedDiff, PatchError } from './unified-diff';

describe('unified diffs', () => {
  it('parses git-style headers, strips a/ b/, and applies hunks that moved', () => {
    const [patch] = parseUnifiedDiff(
      'diff --git a/f.txt b/f.txt\nindex 1..2 100644\n--- a/f.txt\n+++ b/f.txt\n@@ -2,2 +2,2 @@\n b\n-c\n+C\n',
    );
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
    expect(() => parseUnifiedDiff('--- x\n+++ x\n@@ -1,3 +1,3 @@\n a\n')).toThrow(
      'Hunk is shorter than its header says',
    );
    const [patch] = parseUnifiedDiff('--- x\n+++ x\n@@ -1 +1 @@\n-zzz\n+y\n');
    expect(() => applyHunks('a\n', patch!.hunks, 'x')).toThrow('Hunk 1 of x does not apply');
  });
});

describe('applying hunks (jsdiff)', () => {
  const apply = (source: string | null, diff: string) => applyHunks(source, parseUnifiedDiff(diff)[0]!.hunks, 'f');

  it('patches a CRLF file with an LF diff and keeps its line endings', () => {
    expect(apply('one\r\ntwo\r\nthree\r\n', '--- f\n+++ f\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n')).toBe(
      'one\r\nTWO\r\nthree\r\n',
    );
  });

  it('moves later hunks by the offset an earlier one was found at', () => {
    const diff = '--- f\n+++ f\n@@ -2,1 +2,1 @@\n-b\n+B\n@@ -4,0 +5,1 @@\n+new\n';
    expect(apply('x\ny\na\nb\nc\nd\ne\n', diff)).toBe('x\ny\na\nB\nc\nd\nnew\ne\n');
  });

  it('refuses a later hunk that only fits before an earlier one, naming it', () => {
    const diff = '--- f\n+++ f\n@@ -3,1 +3,1 @@\n-d\n+D\n@@ -5,1 +5,1 @@\n-b\n+B\n';
    expect(() => apply('x\n\nb\nd\nex\ne\n', diff)).toThrow('Hunk 2 of f does not apply: its context was not found');
  });

  it('appends a pure insertion numbered past the end, and creates new files', () => {
    expect(apply('a\nb\nc\n', '--- f\n+++ f\n@@ -7,0 +8,1 @@\n+d\n')).toBe('a\nb\nc\nd\n');
    expect(apply(null, '--- /dev/null\n+++ f\n@@ -0,0 +1,2 @@\n+fresh\n+file\n')).toBe('fresh\nfile\n');
  });
});

describe('bounded hunk search', () => {
  const apply = (source: string, diff: string) => applyHunks(source, parseUnifiedDiff(diff)[0]!.hunks, 'f');
  const failureOf = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return error instanceof PatchError ? { message: error.message, details: error.details } : error;
    }
    return 'applied';
  };

  it('gives up with a PatchError naming the hunk once its context has matched too many lines', () => {
    // 3,000 context lines that match everywhere but at their last line, tried at each of 100,000 places.
    const diff = `--- f\n+++ f\n@@ -1 +1 @@\n-x\n+X\n@@ -10,3000 +10,3000 @@\n${' x\n'.repeat(2_999)}-y\n+z\n`;
    expect(failureOf(() => apply('x\n'.repeat(100_000), diff))).toEqual({
      message: `Hunk 2 of f is too costly to place (over ${MAX_LINE_COMPARISONS} line comparisons for the whole patch): its context matches almost everywhere; give it the right line numbers or more distinctive context`,
      details: { path: 'f', hunk: 2, max_comparisons: MAX_LINE_COMPARISONS },
    });
  }, 5000);

  it('counts the inserted lines it walks through at each place it tries', () => {
    const diff = `--- f\n+++ f\n@@ -1 +1,5001 @@\n${'+new\n'.repeat(5_000)} y\n`;
    expect(failureOf(() => apply('x\n'.repeat(100_000), diff))).toEqual(
      expect.objectContaining({ details: { path: 'f', hunk: 1, max_comparisons: MAX_LINE_COMPARISONS } }),
    );
  }, 5000);

  it('says a hunk does not fit, not that it costs too much, when only finding which one runs out of budget', () => {
    // The whole patch is tried once (about 2,000 comparisons) and fails; naming the hunk would take as many again.
    const diff = `--- f\n+++ f\n@@ -1,2 +1,1 @@\n a\n-zz\n@@ -5 +5 @@\n-a\n+b\n@@ -9 +9 @@\n-a\n+c\n`;
    const hunks = parseUnifiedDiff(diff)[0]!.hunks;
    expect(failureOf(() => applyHunks('a\n'.repeat(1000), hunks, 'f', createHunkSearchBudget(3000)))).toEqual({
      message:
        'A hunk of f does not apply (after hunk 0): its context was not found; the search for which one stopped after 3000 line comparisons',
      details: { path: 'f', max_comparisons: 3000 },
    });
  });

  it('still places a hunk with a long insertion 150,000 lines from its stated line', () => {
    const lines = Array.from({ length: 200_000 }, (_, index) => `l${index + 1}`);
    const diff = `--- f\n+++ f\n@@ -1,2 +1,502 @@\n l150000\n${'+n\n'.repeat(500)} l150001\n`;
    const expected = [...lines.slice(0, 150_000), ...Array(500).fill('n'), ...lines.slice(150_000)];
    expect(apply(`${lines.join('\n')}\n`, diff)).toBe(`${expected.join('\n')}\n`);
  });
});
