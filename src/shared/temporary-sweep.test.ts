import { describe, expect, it } from 'bun:test';
import { mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../test/support/temp-dir';
import { removeStaleTemporaryFiles } from './temporary-sweep';

const listed = (root: string) => readdirSync(root, { recursive: true }).map(String).sort();

/** Writes `names` under `root`, last modified at `mtimeMs`. */
function plant(root: string, names: string[], mtimeMs: number): void {
  for (const name of names) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), 'x');
    utimesSync(join(root, name), mtimeMs / 1000, mtimeMs / 1000);
  }
}

describe('the sweep of temporary files', () => {
  it('removes only names of the reserved form', async () => {
    using temp = makeTempDir();
    const stale = ['.moc-tmp-0123456789abcdef', 'deep/er/.moc-tmp-a1b2c3d4e5f60718'];
    const kept = [
      'notes.tmp',
      '.hidden.tmp',
      '.x.0123456789ab.tmp',
      'deep/.moc-tmp-0123456789abcde',
      'deep/.moc-tmp-0123456789ABCDEF',
      'deep/.moc-tmp-0123456789abcdef.md',
    ];
    plant(temp.path, [...stale, ...kept], Date.now() - 60_000);
    expect(await removeStaleTemporaryFiles(temp.path, { modifiedBeforeMs: Date.now() })).toBe(2);
    expect(listed(temp.path)).toEqual(['deep', 'deep/er', ...kept].sort());
  });

  it('leaves a temporary modified since the cut-off: another process may be writing it', async () => {
    using temp = makeTempDir();
    const cutOff = Date.now() - 10_000;
    plant(temp.path, ['a/.moc-tmp-00000000000000aa'], cutOff - 1_000);
    plant(temp.path, ['a/.moc-tmp-00000000000000bb', '.moc-tmp-00000000000000cc'], cutOff + 1_000);
    expect(await removeStaleTemporaryFiles(temp.path, { modifiedBeforeMs: cutOff })).toBe(1);
    expect(listed(temp.path)).toEqual(['.moc-tmp-00000000000000cc', 'a', 'a/.moc-tmp-00000000000000bb']);
  });

  it('gives the thread back between slices, and a stop ends it at the next one', async () => {
    using temp = makeTempDir();
    const names = Array.from({ length: 6 }, (_, index) => `f${index}/.moc-tmp-${index.toString(16).padStart(16, '0')}`);
    plant(temp.path, names, Date.now() - 60_000);
    const seen: number[] = [];
    // Work queued before the sweep starts (as a request's would be) runs at its first slice's end.
    let queuedRan = false;
    setImmediate(() => {
      queuedRan = true;
    });
    const ranBySlice: boolean[] = [];
    const removed = await removeStaleTemporaryFiles(temp.path, {
      modifiedBeforeMs: Date.now(),
      sliceMs: 0,
      stopped: () => {
        seen.push(listed(temp.path).filter((name) => name.includes('.moc-tmp-')).length);
        ranBySlice.push(queuedRan);
        // The server stops at the third slice.
        return seen.length >= 3;
      },
    });
    // A slice before each file: the stop came before the sweep reached them all.
    expect(seen).toEqual([6, 5, 4]);
    expect(ranBySlice).toEqual([true, true, true]);
    expect(removed).toBe(2);
    expect(listed(temp.path).filter((name) => name.includes('.moc-tmp-'))).toHaveLength(6 - removed);
  });

  it('goes on past a temporary it cannot remove, and says which', async () => {
    using temp = makeTempDir();
    plant(temp.path, ['a/.moc-tmp-00000000000000aa', 'b/.moc-tmp-00000000000000bb', 'c/.moc-tmp-00000000000000cc'], 0);
    const failures: string[] = [];
    const removed = await removeStaleTemporaryFiles(temp.path, {
      modifiedBeforeMs: Date.now(),
      // As a folder without write permission refuses it (root ignores modes, so the refusal is made here).
      remove: (path) => {
        if (path.includes('/b/')) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
        rmSync(path);
      },
      onFailure: (path) => failures.push(path),
    });
    expect(removed).toBe(2);
    expect(failures).toEqual(['b/.moc-tmp-00000000000000bb']);
    expect(listed(temp.path).filter((name) => name.includes('.moc-tmp-'))).toEqual(['b/.moc-tmp-00000000000000bb']);
  });
});
