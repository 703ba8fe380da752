import { describe, expect, it } from 'bun:test';
import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeBwrap } from '../../test/support/fake-bwrap';
import { killEach, livePidsWith, waitUntil } from '../../test/support/process-probe';
import { makeTempDir } from '../../test/support/temp-dir';
import { createSandbox, type SandboxVariant } from './sandbox';
import { PROBE_FOLDER_PREFIX } from './sandbox-probe';

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
    // It answers once this thread writes `go`: a probe that held the thread would never see it written.
    const go = join(temp.path, 'go');
    const bwrap = fakeBwrap(temp.path, { answerWhen: go, refusal: 'bwrap: no namespaces here' });
    const sandbox = createSandbox(bwrap.options(temp.path));
    const first = sandbox.probed();
    const second = sandbox.probed();
    expect(await waitUntil(() => bwrap.calls() === 1)).toBe(true);
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
    expect(bwrap.calls()).toBe(1);
  });

  it('stops a probe running in the background: its call killed, its scratch agent gone, the next use tries again', async () => {
    using temp = makeTempDir('moc-sandbox-stop-');
    const bwrap = fakeBwrap(temp.path);
    const parent = join(temp.path, 'workspaces');
    mkdirSync(parent);
    const sandbox = createSandbox(bwrap.options(parent));
    const probing = sandbox.probed();
    expect(await waitUntil(() => bwrap.calls() === 1)).toBe(true);
    expect(readdirSync(parent)).toHaveLength(1);
    await sandbox.stopProbe();
    expect(await probing).toEqual({
      available: false,
      start: null,
      proc: false,
      reason: 'the sandbox probe was stopped',
    });
    expect(readdirSync(parent)).toEqual([]);
    // No verdict was kept: the next use probes again (stopped again here, so nothing is left running).
    const again = sandbox.probed();
    expect(await waitUntil(() => bwrap.calls() === 2)).toBe(true);
    await sandbox.stopProbe();
    expect((await again).reason).toBe('the sandbox probe was stopped');
    expect(readdirSync(parent)).toEqual([]);
  });

  it('kills what a call leaves in its process group, when stopped and when it exits', async () => {
    using temp = makeTempDir('moc-probe-group-');
    // A bubblewrap whose child ignores SIGTERM (as bubblewrap's own child can, killed while it sets up): it must die
    // with the call's group. The child's command line carries a marker; the call waits for it, or exits at once.
    const marker = `moc-probe-child-${process.pid}-${Date.now()}`;
    const leftovers = () => livePidsWith(marker);
    const child = `sh -c 'trap "" TERM; n=0; while [ $n -lt 6000 ]; do sleep 0.01; n=$((n+1)); done' ${marker} &`;
    const script = (path: string, rest: string) => {
      writeFileSync(path, `#!/bin/sh\n${child}\n${rest}\n`);
      chmodSync(path, 0o755);
      return path;
    };
    const variants: SandboxVariant[] = [{ start: 'direct', proc: false, hardened: false }];
    try {
      const waits = createSandbox({
        bwrap: script(join(temp.path, 'waits'), 'wait'),
        probeParent: temp.path,
        variants,
      });
      const probing = waits.probed();
      expect(await waitUntil(() => leftovers().length === 1)).toBe(true);
      await waits.stopProbe();
      expect((await probing).reason).toBe('the sandbox probe was stopped');
      expect(await waitUntil(() => leftovers().length === 0)).toBe(true);

      const exits = createSandbox({
        bwrap: script(join(temp.path, 'exits'), "echo 'bwrap: refused' >&2; exit 1"),
        probeParent: temp.path,
        variants,
      });
      expect((await exits.probed()).reason).toBe('bubblewrap cannot start a sandbox here: bwrap: refused');
      expect(await waitUntil(() => leftovers().length === 0)).toBe(true);
      expect(readdirSync(temp.path).filter((name) => name.startsWith(PROBE_FOLDER_PREFIX))).toEqual([]);
    } finally {
      killEach(leftovers());
    }
  });
});
