import { describe, expect, it } from 'bun:test';
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../test/support/temp-dir';
import { removeStaleScratch } from './warm-scratch';

describe('removeStaleScratch', () => {
  it("removes the scratch folders killed servers left, not a running server's nor anything else", () => {
    using temp = makeTempDir('moc-scratch-sweep-');
    const now = Date.now();
    const folder = (name: string, ageMs: number) => {
      const path = join(temp.path, name);
      mkdirSync(join(path, 'workspaces', 'default'), { recursive: true });
      writeFileSync(join(path, 'workspaces', 'default', 'AGENTS.md'), 'x');
      const seconds = (now - ageMs) / 1000;
      utimesSync(path, seconds, seconds);
    };
    folder('mini-openclaw-warm-left1', 3_600_000);
    folder('mini-openclaw-warm-left2', 11 * 60_000);
    folder('mini-openclaw-warm-warming', 5_000);
    folder('someone-elses-folder', 3_600_000);
    removeStaleScratch(temp.path, now);
    expect(readdirSync(temp.path).sort()).toEqual(['mini-openclaw-warm-warming', 'someone-elses-folder']);
    // A parent that cannot be read is left alone.
    expect(() => removeStaleScratch(join(temp.path, 'missing'), now)).not.toThrow();
  });
});
