import { describe, expect, it } from 'bun:test';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../test/support/temp-dir';
import { createSandbox } from './sandbox';

describe('createSandbox', () => {
  it('says why when bubblewrap is missing', () => {
    expect(createSandbox({ bwrap: null }).status()).toEqual({
      available: false,
      start: null,
      proc: false,
      reason: 'bubblewrap (bwrap) is not installed',
    });
  });

  it('reports a data folder that takes no writes without failing, and tries again once it does', () => {
    using temp = makeTempDir('moc-sandbox-probe-');
    const parent = join(temp.path, 'workspaces');
    writeFileSync(parent, 'a file where the folder should be');
    const sandbox = createSandbox({ probeParent: parent });
    expect(sandbox.status()).toEqual(
      expect.objectContaining({ available: false, reason: expect.stringContaining('takes no writes (ENOTDIR)') }),
    );
    rmSync(parent);
    mkdirSync(parent);
    const real = createSandbox({ probeParent: parent }).status();
    expect(sandbox.status()).toEqual(real);
  });
});
