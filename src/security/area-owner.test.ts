import { describe, expect, it } from 'bun:test';
import { chownSync, existsSync, lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../test/support/temp-dir';
import { ensureAreaOwner } from './area-owner';

const runsAsRoot = process.geteuid?.() === 0;
const python = Bun.which('python3', { PATH: '/usr/local/bin:/usr/bin:/bin' });

/** Swaps `area/sub` for a link to `target` and back, as fast as it can, until `area/stop` exists. */
const SWAPPER = `
import os, sys
area, target = sys.argv[1], sys.argv[2]
sub, aside = os.path.join(area, 'sub'), os.path.join(area, 'sub-aside')
open(os.path.join(area, 'swapping'), 'w').close()
while not os.path.exists(os.path.join(area, 'stop')):
    try:
        os.rename(sub, aside)
        os.symlink(target, sub)
        for _ in range(50):
            os.stat(sub)
        os.unlink(sub)
        os.rename(aside, sub)
    except OSError:
        pass
`;

describe.skipIf(!runsAsRoot)('ensureAreaOwner', () => {
  it('hands the area and everything in it to the sandbox uid, links themselves included, never what they name', () => {
    using temp = makeTempDir('moc-area-owner-');
    const area = join(temp.path, 'workspace');
    const outside = join(temp.path, 'outside.txt');
    mkdirSync(join(area, 'notes'), { recursive: true });
    writeFileSync(join(area, 'notes', 'a.md'), 'a');
    writeFileSync(outside, 'server file');
    symlinkSync(outside, join(area, 'link'));
    symlinkSync(temp.path, join(area, 'folder-link'));
    ensureAreaOwner(area, 65534, 65534);
    for (const path of [
      area,
      join(area, 'notes'),
      join(area, 'notes', 'a.md'),
      join(area, 'link'),
      join(area, 'folder-link'),
    ]) {
      expect([path, lstatSync(path).uid, lstatSync(path).gid]).toEqual([path, 65534, 65534]);
    }
    expect(lstatSync(outside).uid).toBe(0);
    expect(lstatSync(temp.path).uid).toBe(0);
  });

  it.skipIf(!python)(
    'never follows a folder swapped for a link while it walks (a sandbox still running in the area)',
    async () => {
      using temp = makeTempDir('moc-area-owner-race-');
      const area = join(temp.path, 'workspace');
      const victim = join(temp.path, 'server-folder');
      mkdirSync(victim);
      for (let index = 0; index < 20; index++) writeFileSync(join(victim, `secret-${index}`), 'root only');
      mkdirSync(join(area, 'sub'), { recursive: true });
      for (let index = 0; index < 50; index++) writeFileSync(join(area, `file-${index}`), '');
      for (let index = 0; index < 50; index++) writeFileSync(join(area, 'sub', `entry-${index}`), '');
      const swapper = Bun.spawn([python!, '-c', SWAPPER, area, victim], { stdout: 'ignore', stderr: 'inherit' });
      try {
        const deadline = Date.now() + 20_000;
        while (!existsSync(join(area, 'swapping')) && Date.now() < deadline) await Bun.sleep(10);
        const taken = () =>
          Array.from({ length: 20 }, (_, index) => lstatSync(join(victim, `secret-${index}`)).uid).filter(
            (uid) => uid !== 0,
          ).length;
        // Each pass starts from an area that is root's again (restored from a backup, say), as the swapper runs.
        for (let pass = 0; pass < 2000 && taken() === 0; pass++) {
          chownSync(area, 0, 0);
          ensureAreaOwner(area, 65534, 65534);
          await Bun.sleep(0);
        }
        expect(taken()).toBe(0);
        expect(lstatSync(victim).uid).toBe(0);
      } finally {
        writeFileSync(join(area, 'stop'), '');
        await swapper.exited;
      }
    },
    60_000,
  );
});
