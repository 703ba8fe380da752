import { describe, expect, it } from 'bun:test';
import { appendFileSync, closeSync, ftruncateSync, openSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createToolHarness } from '../../../test/support/tool-harness';
import { nextTurn } from '../../shared/event-loop';
import { readBounded, SCAN_BUDGET_BYTES } from './read-file.tool';

/** A sparse file of `bytes` zeros (no line breaks): takes no disk space. */
function sparseFile(path: string, bytes: number): string {
  const handle = openSync(path, 'w');
  ftruncateSync(handle, bytes);
  closeSync(handle);
  return path;
}

describe('read_file far into a file', () => {
  it('skips the lines before start_line as bytes, multi-byte characters and CRLF included', async () => {
    using harness = createToolHarness();
    const lines = Array.from({ length: 50_000 }, (_, index) => `${index + 1} ünï — 日本 😀\r`);
    writeFileSync(join(harness.root, 'knowledge', 'lines.txt'), `${lines.join('\n')}\n`);
    for (const start of [1, 2, 1_000, 49_999, 50_000]) {
      const result = await harness.call('read_file', {
        path: 'knowledge/lines.txt',
        start_line: start,
        end_line: start + 1,
      });
      expect(result.data.content).toBe(lines.slice(start - 1, start + 1).join('\n'));
    }
    expect((await harness.call('read_file', { path: 'knowledge/lines.txt', start_line: 60_000 })).data.content).toBe(
      '',
    );
  });

  it('reads a path asked for twice once, and stops a call past its scanning budget with E_OUTPUT_LIMIT', async () => {
    using harness = createToolHarness();
    // No line breaks in a gigabyte of zeros (32 reads of it took 80 s before).
    sparseFile(join(harness.root, 'knowledge', 'sparse.bin'), 1024 * 1024 * 1024);
    const far = await harness.call('read_file', { path: 'knowledge/sparse.bin', start_line: 2 });
    expect(far.error?.code).toBe('E_OUTPUT_LIMIT');
    writeFileSync(join(harness.root, 'knowledge', 'small.txt'), 'a\nb\n');
    const many = await harness.call('read_files', {
      paths: ['knowledge/small.txt', ...Array(31).fill('knowledge/sparse.bin')],
      start_line: 2,
    });
    const codes = many.data.results.slice(1).map((result: { error?: { code: string } }) => result.error?.code);
    expect(new Set(codes)).toEqual(new Set(['E_OUTPUT_LIMIT']));
    expect(many.data.results[0]).toMatchObject({ ok: true, content: 'b' });
  }, 10_000);

  it('counts what it reads against the budget it is given', async () => {
    using harness = createToolHarness();
    const path = join(harness.root, 'knowledge', 'big.txt');
    writeFileSync(path, 'x'.repeat(300_000));
    const budget = { bytes: 200_000 };
    await expect(readBounded(path, { start_line: 2, max_chars: 100 }, budget)).rejects.toThrow(/Stopped after reading/);
    expect(budget.bytes).toBe(0);
    // A budget that runs out exactly at the end of the file still reads it.
    writeFileSync(path, `${'x'.repeat(65_535)}\ny`);
    expect((await readBounded(path, { start_line: 2, max_chars: 100 }, { bytes: 65_537 })).content).toBe('y');
    await expect(readBounded(path, { start_line: 2, max_chars: 100 }, { bytes: 65_536 })).rejects.toThrow(
      /Stopped after/,
    );
    expect(SCAN_BUDGET_BYTES).toBe(256 * 1024 * 1024);
  });

  it('gives the event loop back while it looks for a far line, and stops once the run is cancelled', async () => {
    using harness = createToolHarness();
    const sparse = sparseFile(join(harness.root, 'knowledge', 'sparse.bin'), 64 * 1024 * 1024);
    // Timers keep firing while one call scans 64 MiB: the thread is not held for the whole scan.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    try {
      const far = await readBounded(sparse, { start_line: 2, max_chars: 100 });
      expect(far.content).toBe('');
      expect(ticks).toBeGreaterThan(0);
    } finally {
      clearInterval(timer);
    }
    const cancelled = new AbortController();
    const read = readBounded(sparse, { start_line: 2, max_chars: 100 }, undefined, cancelled.signal);
    cancelled.abort();
    await expect(read).rejects.toThrow(/the run was cancelled/);
  });

  it('keeps reading the file it opened when, while it gives the event loop back, the file is swapped for a link out', async () => {
    using harness = createToolHarness();
    // A secret outside the agent folder, and a file whose one line comes after 64 MiB of zeros (many returns to
    // the event loop before it is reached).
    const secret = join(harness.root, '..', 'secret.txt');
    writeFileSync(secret, 'SECRET\nSECRET\n');
    const path = join(harness.root, 'knowledge', 'far.txt');
    sparseFile(path, 64 * 1024 * 1024);
    appendFileSync(path, '\nORIGINAL');
    const read = harness.call('read_file', { path: 'knowledge/far.txt', start_line: 2 });
    let settled = false;
    void read.then(() => (settled = true));
    // At the first chance the event loop gives: the file moves away and a link to the secret takes its name.
    await nextTurn();
    renameSync(path, `${path}.moved`);
    symlinkSync(secret, path);
    // The swap happened while the read was under way (it had opened the file: a read opened later is refused).
    expect(settled).toBe(false);
    const result = await read;
    expect(result.data.content).toBe('ORIGINAL');
    expect(JSON.stringify(result)).not.toContain('SECRET');
    // The link itself is refused by the next read, as links out always are.
    expect((await harness.call('read_file', { path: 'knowledge/far.txt' })).ok).toBe(false);
  });
});
