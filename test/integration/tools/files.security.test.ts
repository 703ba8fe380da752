import { describe, expect, it } from 'bun:test';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readWorkspaceFile } from '../../../src/agents/workspace-files';
import { createToolHarness } from '../../support/tool-harness';

/** Paths that must never reach a file outside the agent folder. */
const PATH_CORPUS = [
  '../outside.txt',
  '../../etc/passwd',
  'workspace/../../outside.txt',
  '/etc/passwd',
  '~/secret',
  'C:/Windows/win.ini',
  'workspace\\..\\..\\outside.txt',
  'a/./../../outside.txt',
  'link-out/outside.txt',
  'escape.txt',
  '',
  'name\0.txt',
];

const diffFor = (path: string) => `--- a/${path}\n+++ b/${path}\n@@ -1 +1 @@\n-old\n+new\n`;

describe('read_file, read_files, apply_patch path guard', () => {
  it('refuses every path of the corpus through read_file and apply_patch with E_INVALID_PATH', async () => {
    using harness = createToolHarness();
    writeFileSync(join(harness.dataDir, 'workspaces', 'outside.txt'), 'old\n');
    writeFileSync(join(harness.dataDir, 'outside.txt'), 'old\n');
    symlinkSync(join(harness.dataDir, 'workspaces'), join(harness.root, 'link-out'));
    symlinkSync(join(harness.dataDir, 'outside.txt'), join(harness.root, 'escape.txt'));
    const read: [string, string | undefined][] = [];
    const patched: [string, string | undefined][] = [];
    for (const path of PATH_CORPUS) {
      read.push([path, (await harness.call('read_file', { path })).error?.code]);
      if (path && !path.includes('\0'))
        patched.push([path, (await harness.call('apply_patch', { input: diffFor(path) })).error?.code]);
    }
    expect(read.filter(([, code]) => code !== 'E_INVALID_PATH')).toEqual([]);
    expect(patched.filter(([, code]) => code !== 'E_INVALID_PATH')).toEqual([]);
    expect(readFileSync(join(harness.dataDir, 'outside.txt'), 'utf8')).toBe('old\n');
    expect(readFileSync(join(harness.dataDir, 'workspaces', 'outside.txt'), 'utf8')).toBe('old\n');
    const many = await harness.call('read_files', { paths: ['workspace/a.md', '../outside.txt'] });
    expect(many.data.partial).toBe(true);
    expect(many.data.results[1]).toEqual({
      ok: false,
      path: '../outside.txt',
      error: expect.objectContaining({ code: 'E_INVALID_PATH' }),
    });
  });
});

describe('read_file', () => {
  it('reads line ranges, caps at max_chars, reports missing files', async () => {
    using harness = createToolHarness();
    writeFileSync(join(harness.root, 'workspace', 'lines.md'), 'one\ntwo\nthree\nfour\n');
    expect((await harness.call('read_file', { path: 'workspace/lines.md' })).data).toEqual({
      path: 'workspace/lines.md',
      content: 'one\ntwo\nthree\nfour\n',
      truncated: false,
    });
    expect((await harness.call('read', { path: 'workspace/lines.md', start_line: 2, end_line: 3 })).data.content).toBe(
      'two\nthree',
    );
    const capped = await harness.call('read_file', { path: 'workspace/lines.md', max_chars: 5 });
    expect([capped.data.content, capped.meta.truncated]).toEqual(['one\nt\n...[truncated]', true]);
    expect((await harness.call('read_file', { path: 'workspace/none.md' })).error?.code).toBe('E_NOT_FOUND');
    expect((await harness.call('read_file', { path: 'workspace' })).error?.code).toBe('E_NOT_FOUND');
    expect((await harness.call('read_file', { path: 'workspace/lines.md', max_chars: 'lots' })).error?.code).toBe(
      'E_INVALID_ARGS',
    );
  });

  it('reads the start of a 60 MB file without loading it', async () => {
    using harness = createToolHarness();
    const line = `${'x'.repeat(99)}\n`;
    writeFileSync(join(harness.root, 'knowledge', 'huge.txt'), line.repeat(600_000));
    const before = process.memoryUsage().rss;
    const result = await harness.call('read_file', { path: 'knowledge/huge.txt', max_chars: 1000 });
    expect(result.data.content).toBe(`${line.repeat(10)}\n...[truncated]`);
    expect(process.memoryUsage().rss - before).toBeLessThan(30_000_000);
  });
});

describe('apply_patch', () => {
  it('applies hunks to several files, creates and deletes files', async () => {
    using harness = createToolHarness();
    mkdirSync(join(harness.root, 'src'));
    writeFileSync(join(harness.root, 'src', 'a.txt'), 'one\ntwo\nthree\nfour\nfive\n');
    writeFileSync(join(harness.root, 'src', 'gone.txt'), 'bye\n');
    const patch = [
      '--- src/a.txt',
      '+++ src/a.txt',
      '@@ -1,2 +1,2 @@',
      '-one',
      '+ONE',
      ' two',
      '@@ -4,2 +4,3 @@',
      ' four',
      ' five',
      '+six',
      '--- /dev/null',
      '+++ src/new.txt',
      '@@ -0,0 +1,2 @@',
      '+fresh',
      '+file',
      '--- src/gone.txt',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-bye',
      '',
    ].join('\n');
    const result = await harness.call('apply_patch', { input: patch });
    expect(result.data).toEqual({
      applied: true,
      changed_files: ['src/a.txt', 'src/gone.txt', 'src/new.txt'],
      hunks_applied: 4,
      errors: [],
    });
    expect(readFileSync(join(harness.root, 'src', 'a.txt'), 'utf8')).toBe('ONE\ntwo\nthree\nfour\nfive\nsix\n');
    expect(readFileSync(join(harness.root, 'src', 'new.txt'), 'utf8')).toBe('fresh\nfile\n');
    expect(() => readFileSync(join(harness.root, 'src', 'gone.txt'))).toThrow();
  });

  it('leaves every file unchanged when one hunk does not apply', async () => {
    using harness = createToolHarness();
    writeFileSync(join(harness.root, 'first.txt'), 'alpha\nbeta\n');
    writeFileSync(join(harness.root, 'second.txt'), 'gamma\ndelta\n');
    const patch =
      '--- a/first.txt\n+++ b/first.txt\n@@ -1,2 +1,2 @@\n-alpha\n+ALPHA\n beta\n--- a/second.txt\n+++ b/second.txt\n@@ -1,2 +1,2 @@\n-gamma\n+GAMMA\n epsilon\n';
    const result = await harness.call('apply_patch', { input: patch });
    expect(result.error).toEqual(
      expect.objectContaining({
        code: 'E_EXEC',
        message: 'Hunk 1 of second.txt does not apply: its context was not found',
      }),
    );
    expect(readFileSync(join(harness.root, 'first.txt'), 'utf8')).toBe('alpha\nbeta\n');
    expect(readFileSync(join(harness.root, 'second.txt'), 'utf8')).toBe('gamma\ndelta\n');
    expect((await harness.call('apply_patch', { input: 'not a diff' })).error?.code).toBe('E_INVALID_ARGS');
  });
});

describe('links and protected entries (found by a pentest)', () => {
  it('refuses a dangling link whose text looks inside (l -> b/missing/.., b -> /) for reads, patches and the files API', async () => {
    using harness = createToolHarness();
    symlinkSync('/', join(harness.root, 'workspace', 'b'));
    symlinkSync('b/missing/..', join(harness.root, 'workspace', 'l'));
    expect((await harness.call('read_file', { path: 'workspace/l/etc/hostname' })).error?.code).toBe('E_INVALID_PATH');
    expect((await harness.call('read_files', { paths: ['workspace/l/etc/hostname'] })).data.results[0].error.code).toBe(
      'E_INVALID_PATH',
    );
    const created = await harness.call('apply_patch', {
      input: `--- /dev/null\n+++ b/workspace/l/tmp/pwned.txt\n@@ -0,0 +1 @@\n+pwned\n`,
    });
    expect(created.error?.code).toBe('E_INVALID_PATH');
    expect(existsSync('/tmp/pwned.txt')).toBe(false);
    expect(() => readWorkspaceFile(harness.root, 'workspace/l/etc/hostname')).toThrow('Path escapes workspace root');
  });

  it("keeps the agent's storage and config out of reach of read_file and apply_patch", async () => {
    using harness = createToolHarness();
    writeFileSync(join(harness.root, 'config.json'), '{"autonomous_tools":{"chat_blocked_tools":["terminal"]}}\n');
    for (const path of ['config.json', 'storage/agent.db', './storage/../config.json'.replace('/../', '/x/../')]) {
      const read = await harness.call('read_file', { path });
      expect({ path, code: read.error?.code }).toEqual({
        path,
        code: path.includes('..') ? 'E_INVALID_PATH' : 'E_POLICY_DENIED',
      });
    }
    const patch =
      '--- a/config.json\n+++ b/config.json\n@@ -1 +1 @@\n-{"autonomous_tools":{"chat_blocked_tools":["terminal"]}}\n+{}\n';
    expect((await harness.call('apply_patch', { input: patch })).error?.code).toBe('E_POLICY_DENIED');
    expect(readFileSync(join(harness.root, 'config.json'), 'utf8')).toContain('chat_blocked_tools');
    const forged = await harness.call('apply_patch', {
      input: '--- /dev/null\n+++ b/storage/forged.jsonl\n@@ -0,0 +1 @@\n+{}\n',
    });
    expect(forged.error?.code).toBe('E_POLICY_DENIED');
    expect(existsSync(join(harness.root, 'storage', 'forged.jsonl'))).toBe(false);
  });
});
