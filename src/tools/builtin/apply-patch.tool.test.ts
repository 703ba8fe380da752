import { describe, expect, it } from 'bun:test';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createToolHarness } from '../../../test/support/tool-harness';

/** One file section changing line `line` (1-based) of `path` from `from` to `to`. */
const section = (path: string, line: number, from: string, to: string) =>
  `--- a/${path}\n+++ b/${path}\n@@ -${line} +${line} @@\n-${from}\n+${to}\n`;

describe('apply_patch: several sections for one file', () => {
  it('applies every section for the same file, each to the text the previous ones left', async () => {
    using harness = createToolHarness();
    writeFileSync(join(harness.root, 'f.txt'), 'a\nb\nc\nd\ne\n');
    const result = await harness.call('apply_patch', {
      input: section('f.txt', 1, 'a', 'A') + section('f.txt', 5, 'e', 'E') + section('f.txt', 1, 'A', 'AA'),
    });
    expect(result.data).toEqual({ applied: true, changed_files: ['f.txt'], hunks_applied: 3, errors: [] });
    expect(readFileSync(join(harness.root, 'f.txt'), 'utf8')).toBe('AA\nb\nc\nd\nE\n');
  });

  it('renames a file that an earlier section changed, keeping both changes', async () => {
    using harness = createToolHarness();
    writeFileSync(join(harness.root, 'old.txt'), 'a\nb\n');
    const rename = '--- a/old.txt\n+++ b/new.txt\n@@ -2 +2 @@\n-b\n+B\n';
    const result = await harness.call('apply_patch', { input: section('old.txt', 1, 'a', 'A') + rename });
    expect(result.data.changed_files).toEqual(['new.txt', 'old.txt']);
    expect(readFileSync(join(harness.root, 'new.txt'), 'utf8')).toBe('A\nB\n');
    expect(existsSync(join(harness.root, 'old.txt'))).toBe(false);
  });

  it('applies 300 sections to one 30,000-line file', async () => {
    using harness = createToolHarness();
    const lines = Array.from({ length: 30_000 }, (_, index) => `line ${index + 1}`);
    writeFileSync(join(harness.root, 'big.txt'), `${lines.join('\n')}\n`);
    const changed = Array.from({ length: 300 }, (_, index) => index * 100 + 1);
    const input = changed.map((line) => section('big.txt', line, lines[line - 1]!, `changed ${line}`)).join('');
    const result = await harness.call('apply_patch', { input });
    expect(result.data).toEqual({ applied: true, changed_files: ['big.txt'], hunks_applied: 300, errors: [] });
    for (const line of changed) lines[line - 1] = `changed ${line}`;
    expect(readFileSync(join(harness.root, 'big.txt'), 'utf8')).toBe(`${lines.join('\n')}\n`);
  });

  it('refuses more than 300 sections or 100 files in one patch, changing nothing', async () => {
    using harness = createToolHarness();
    writeFileSync(join(harness.root, 'f.txt'), 'a\n');
    const sections = Array.from({ length: 301 }, (_, index) =>
      section('f.txt', 1, index === 0 ? 'a' : `a${index - 1}`, `a${index}`),
    );
    const tooMany = await harness.call('apply_patch', { input: sections.join('') });
    expect(tooMany.error).toEqual({
      code: 'E_INVALID_ARGS',
      message: 'The patch has 301 file sections; at most 300 are applied in one call: split it',
      retryable: false,
      details: { sections: 301, max_sections: 300 },
    });
    const files = Array.from({ length: 101 }, (_, index) => `--- /dev/null\n+++ b/n${index}.txt\n@@ -0,0 +1 @@\n+x\n`);
    const tooManyFiles = await harness.call('apply_patch', { input: files.join('') });
    expect(tooManyFiles.error).toEqual({
      code: 'E_INVALID_ARGS',
      message: 'The patch touches 101 files; at most 100 are changed in one call: split it',
      retryable: false,
      details: { files: 101, max_files: 100 },
    });
    expect(readFileSync(join(harness.root, 'f.txt'), 'utf8')).toBe('a\n');
    expect(existsSync(join(harness.root, 'n0.txt'))).toBe(false);
  });
  it('refuses a patch whose sections would run through too much file text, changing nothing', async () => {
    using harness = createToolHarness();
    // Each section re-applies to the whole 2,000,000-line file: the sixth would pass 10,000,000 lines.
    writeFileSync(join(harness.root, 'lines.txt'), 'x\n'.repeat(2_000_000));
    const input = Array.from({ length: 6 }, (_, index) => section('lines.txt', index + 1, 'x', 'y')).join('');
    const result = await harness.call('apply_patch', { input });
    expect(result.error).toEqual(
      expect.objectContaining({
        code: 'E_INVALID_ARGS',
        details: { path: 'lines.txt', max_lines_applied: 10_000_000, max_chars_applied: 500_000_000 },
      }),
    );
    expect(readFileSync(join(harness.root, 'lines.txt'), 'utf8')).toBe('x\n'.repeat(2_000_000));
    // Six files of 4.5 MB: more than the 25 MB one call may hold.
    const line = `${'x'.repeat(99)}\n`;
    for (let index = 0; index < 6; index++) writeFileSync(join(harness.root, `big${index}.txt`), line.repeat(45_000));
    const files = Array.from({ length: 6 }, (_, index) => section(`big${index}.txt`, 1, line.trim(), 'y')).join('');
    expect((await harness.call('apply_patch', { input: files })).error).toEqual(
      expect.objectContaining({
        code: 'E_INVALID_ARGS',
        details: { path: 'big5.txt', max_total_bytes: 25_000_000 },
      }),
    );
    expect(readFileSync(join(harness.root, 'big0.txt'), 'utf8')).toBe(line.repeat(45_000));
  });
});

describe('apply_patch: searching for where hunks fit', () => {
  it('answers with E_EXEC once the hunks of all files together have cost too much to place', async () => {
    using harness = createToolHarness();
    // Each file costs about 2 million comparisons (20,000 places × 100 context lines): the third runs out.
    for (const name of ['a', 'b', 'c']) writeFileSync(join(harness.root, `${name}.txt`), `${'x\n'.repeat(20_000)}y\n`);
    const hunk = `@@ -1,100 +1,100 @@\n${' x\n'.repeat(99)}-y\n+z\n`;
    const input = ['a', 'b', 'c'].map((name) => `--- a/${name}.txt\n+++ b/${name}.txt\n${hunk}`).join('');
    const result = await harness.call('apply_patch', { input });
    expect(result.error).toEqual(
      expect.objectContaining({ code: 'E_EXEC', details: { path: 'c.txt', hunk: 1, max_comparisons: 5_000_000 } }),
    );
    for (const name of ['a', 'b', 'c'])
      expect(readFileSync(join(harness.root, `${name}.txt`), 'utf8')).toBe(`${'x\n'.repeat(20_000)}y\n`);
  });

  it('answers a hunk whose context matches almost everywhere with E_EXEC instead of searching for minutes', async () => {
    using harness = createToolHarness();
    writeFileSync(join(harness.root, 'same.txt'), 'x\n'.repeat(100_000));
    const input = `--- a/same.txt\n+++ b/same.txt\n@@ -1,3000 +1,3000 @@\n${' x\n'.repeat(2_999)}-y\n+z\n`;
    const result = await harness.call('apply_patch', { input });
    expect(result.error).toEqual(
      expect.objectContaining({
        code: 'E_EXEC',
        details: { path: 'same.txt', hunk: 1, max_comparisons: 5_000_000 },
      }),
    );
  }, 5000);
});

describe('apply_patch: files that are not UTF-8 text', () => {
  it('refuses a binary or Latin-1 file, leaving its bytes as they were, and still patches a UTF-8 file with a BOM', async () => {
    using harness = createToolHarness();
    // Line 2 is plain `a`: the hunk fits, and patching the text would re-encode every other byte of the file.
    const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0a, 0x61, 0x0a, 0xff, 0x00, 0xfe, 0x0a]);
    const latin1 = Buffer.from('caf\xe9\na\n', 'latin1');
    writeFileSync(join(harness.root, 'img.png'), binary);
    writeFileSync(join(harness.root, 'notes.txt'), latin1);
    for (const [path, bytes] of [
      ['img.png', binary],
      ['notes.txt', latin1],
    ] as const) {
      const result = await harness.call('apply_patch', { input: section(path, 2, 'a', 'b') });
      expect([path, result.ok, result.error?.code, result.error?.message]).toEqual([
        path,
        false,
        'E_INVALID_PATH',
        `Not a patchable text file (not UTF-8): ${path}`,
      ]);
      expect(readFileSync(join(harness.root, path))).toEqual(bytes);
    }
    // A rename carries the text over too: a binary file is not renamed through a text round trip either.
    const rename = await harness.call('apply_patch', {
      input: 'diff --git a/img.png b/moved.png\nrename from img.png\nrename to moved.png\n',
    });
    expect(rename.ok).toBe(false);
    expect(readFileSync(join(harness.root, 'img.png'))).toEqual(binary);
    writeFileSync(join(harness.root, 'bom.txt'), '\ufeffa\nb\n');
    expect((await harness.call('apply_patch', { input: section('bom.txt', 2, 'b', 'B') })).ok).toBe(true);
    expect(readFileSync(join(harness.root, 'bom.txt'), 'utf8')).toBe('\ufeffa\nB\n');
  });
});
