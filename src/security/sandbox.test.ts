import { describe, expect, it } from 'bun:test';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntil } from '../../test/support/process-probe';
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

  it('probes in the background with this thread free, once, to the verdict status() then gives', async () => {
    using temp = makeTempDir('moc-sandbox-background-');
    // A bubblewrap that waits for a file this thread writes, then refuses: a probe that held the thread would never see it.
    const go = join(temp.path, 'go');
    const calls = join(temp.path, 'calls');
    const bwrap = join(temp.path, 'bwrap');
    writeFileSync(
      bwrap,
      `#!/bin/sh\necho call >> '${calls}'\nwhile [ ! -e '${go}' ]; do sleep 0.01; done\necho 'bwrap: no namespaces here' >&2\nexit 1\n`,
    );
    chmodSync(bwrap, 0o755);
    const sandbox = createSandbox({
      bwrap,
      probeParent: temp.path,
      variants: [{ start: 'direct', proc: false, hardened: false }],
    });
    const first = sandbox.probed();
    const second = sandbox.probed();
    // Polled on this thread's event loop, which a probe holding the thread would starve.
    expect(await waitUntil(() => existsSync(calls))).toBe(true);
    writeFileSync(go, '');
    const status = await first;
    expect(status).toEqual({
      available: false,
      start: null,
      proc: false,
      reason: 'bubblewrap cannot start a sandbox here: bwrap: no namespaces here',
    });
    expect(await second).toEqual(status);
    // The verdict is kept: status() and a later probed() run no call of their own.
    expect(sandbox.status()).toEqual(status);
    expect(await sandbox.probed()).toEqual(status);
    expect(await Bun.file(calls).text()).toBe('call\n');
  });
});
