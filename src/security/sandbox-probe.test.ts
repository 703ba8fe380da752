import { describe, expect, it } from 'bun:test';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { mountSmallDisk, unmount } from '../../test/support/disk-mounts';
import { makeTempDir } from '../../test/support/temp-dir';
import { probeInBackground, probeNow, type ProbeSetup } from './sandbox-probe';

/** A probe whose every call is `argv`, its scratch agent made in `parent`. */
const setupFor = (parent: string, argv: string[]): ProbeSetup => ({
  bwrap: '/usr/bin/bwrap',
  prlimit: '/usr/bin/prlimit',
  isRoot: false,
  parent,
  variants: [{ start: 'direct', proc: false, hardened: false }],
  plan: () => ({ argv }),
});

describe('the sandbox probe', () => {
  it('says why when its call fails, and removes its scratch agent', async () => {
    using temp = makeTempDir('moc-probe-fails-');
    const setup = setupFor(temp.path, ['/bin/sh', '-c', 'echo "first line" >&2; echo "bwrap: refused" >&2; exit 3']);
    const expected = {
      status: {
        available: false,
        start: null,
        proc: false,
        reason: 'bubblewrap cannot start a sandbox here: bwrap: refused',
      },
      variant: null,
      tools: null,
    };
    expect(probeNow(setup)).toEqual(expected);
    expect(await probeInBackground(setup, new AbortController().signal)).toEqual(expected);
    expect(readdirSync(temp.path)).toEqual([]);
  });

  it('finds the way whose call writes in the agent folder', async () => {
    using temp = makeTempDir('moc-probe-works-');
    // Unsandboxed here: the probe only judges what the call did, in the folder it was given (its working folder).
    const setup: ProbeSetup = {
      ...setupFor(temp.path, []),
      plan: (_tools, _variant, argv, agentRoot) => ({ argv: ['/bin/sh', '-c', `cd '${agentRoot}' && ${argv[2]}`] }),
    };
    for (const found of [probeNow(setup), await probeInBackground(setup, new AbortController().signal)]) {
      expect(found.status).toEqual({ available: true, start: 'direct', proc: false, reason: null });
    }
    expect(readdirSync(temp.path)).toEqual([]);
  });

  it('says so when a call cannot even start, and removes its scratch agent', async () => {
    using temp = makeTempDir('moc-probe-nostart-');
    const missing = join(temp.path, 'no-such-bwrap');
    const setup = setupFor(temp.path, [missing]);
    for (const found of [probeNow(setup), await probeInBackground(setup, new AbortController().signal)]) {
      expect(found.status.available).toBe(false);
      expect(found.status.reason).toStartWith(`bubblewrap cannot start a sandbox here: cannot start ${missing}:`);
      expect(found.status.reason).toContain('ENOENT');
    }
    expect(readdirSync(temp.path)).toEqual([]);
  });

  it('gives no verdict when its call failed on a disk that filled meanwhile: the next probe tries again', async () => {
    using temp = makeTempDir('moc-probe-filled-');
    const disk = mountSmallDisk(temp.path, '1m');
    if ('refused' in disk) {
      console.warn(`skipped: a small tmpfs is needed for a full disk (${disk.refused})`);
      return;
    }
    try {
      // The call fills the disk and fails as a write refused inside the sandbox would.
      const filler = join(disk.path, 'filler');
      const setup = setupFor(disk.path, ['/bin/sh', '-c', `cat /dev/zero > '${filler}'`]);
      for (const probe of [() => probeNow(setup), () => probeInBackground(setup, new AbortController().signal)]) {
        expect(await probe()).toEqual({
          status: {
            available: false,
            start: null,
            proc: false,
            reason: `the sandbox could not be tried: ${disk.path} takes no writes (ENOSPC)`,
          },
          variant: null,
          tools: null,
          retry: true,
        });
        rmSync(filler);
      }
      expect(readdirSync(disk.path)).toEqual([]);
    } finally {
      unmount(disk.path);
    }
  });
});
