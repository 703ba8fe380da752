// Every way of starting the sandbox that works on this machine holds the same boundary (the probe picks only one).
import { describe, expect, it } from 'bun:test';
import { chmodSync, lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../../scripts/run-command';
import { createSandbox, type SandboxVariant } from '../../src/security/sandbox';
import { livePidsWith, waitUntil } from '../support/process-probe';
import { createToolHarness } from '../support/tool-harness';

const runsAsRoot = process.geteuid?.() === 0;
const python = Bun.which('python3', { PATH: '/usr/local/bin:/usr/bin:/bin' });
const starts: SandboxVariant['start'][] = runsAsRoot ? ['stage', 'drop'] : ['direct'];
const variants: SandboxVariant[] = starts.flatMap((start) => [
  { start, proc: true, hardened: true },
  { start, proc: false, hardened: true },
  { start, proc: false, hardened: false },
]);

/** What a process inside sees of itself and its limits, and which of the kernel's settings it may change. */
const SELF_REPORT = `
import json, os, resource
writable = []
for path in ['/proc/sys/kernel/printk_ratelimit', '/proc/sys/kernel/core_pattern', '/proc/sys/fs/mqueue/msg_default']:
    try:
        value = open(path).read()
        open(path, 'w').write(value)
        writable.append(path)
    except OSError:
        pass
print(json.dumps({'uid': os.getuid(), 'nproc': resource.getrlimit(resource.RLIMIT_NPROC)[0], 'writable': writable, 'listing': sorted(os.listdir('.'))}))
`;

for (const variant of variants) {
  const label = `${variant.start}, ${variant.proc ? 'own /proc' : 'no /proc'}${variant.hardened ? '' : ', plain'}`;
  const sandbox = createSandbox({ variants: [variant] });
  const status = sandbox.status();
  describe.skipIf(!status.available || !python)(`the sandbox started as ${label}`, () => {
    it('runs as 65534 (host: never root), sees only the areas, keeps the limits, and changes no kernel setting', async () => {
      using harness = createToolHarness({ sandbox, config: { tool_sandbox: { max_processes: 48 } } });
      // As a data folder made by the server is (mkdtemp's 0700 would lock the dropped uid out of the path).
      chmodSync(harness.dataDir, 0o755);
      const report = await harness.call('python_repl', { code: SELF_REPORT });
      expect(report.data.sandboxed).toBe(true);
      expect(JSON.parse(report.data.output)).toEqual({
        uid: 65534,
        nproc: 48,
        writable: [],
        listing: ['knowledge', 'memory', 'workspace'],
      });
      const secret = await harness.call('terminal', { command: 'cat storage/agent.db' });
      expect(secret.data.exit_code).not.toBe(0);
      const written = await harness.call('terminal', { command: 'echo kept > workspace/kept.txt' });
      expect(written.data.exit_code).toBe(0);
      expect(readFileSync(join(harness.root, 'workspace', 'kept.txt'), 'utf8')).toBe('kept\n');
      if (runsAsRoot) expect(lstatSync(join(harness.root, 'workspace', 'kept.txt')).uid).toBe(65534);
    });

    it('kills the whole tree on timeout', async () => {
      using harness = createToolHarness({ sandbox, config: { tool_timeouts: { terminal_seconds: 1 } } });
      chmodSync(harness.dataDir, 0o755);
      const marker = `sleep 93.${process.pid % 1000}${variant.proc ? 1 : 2}${variant.hardened ? 1 : 2}${variant.start.length}`;
      const result = await harness.call('terminal', { command: `setsid ${marker} & ${marker}` });
      expect(result.error?.code).toBe('E_TIMEOUT');
      expect(await waitUntil(() => livePidsWith(marker).length === 0)).toBe(true);
    });
  });
}

describe.skipIf(!runsAsRoot)('the sandbox under a server that is not root', () => {
  it('starts directly as the server uid, mapped to 65534 inside, with the same view', async () => {
    const { code, stdout, stderr } = await runCommand(
      [process.execPath, join(import.meta.dir, '..', 'support', 'sandbox-self-report.ts')],
      { uid: 65534, gid: 65534, cwd: '/tmp', env: { PATH: '/usr/bin:/bin', HOME: '/tmp', TMPDIR: '/tmp' } },
    );
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(report).toEqual({
      serverUid: 65534,
      status: { available: true, start: 'direct', proc: true, reason: null },
      id: '65534',
      listing: ['knowledge', 'memory', 'workspace'],
      config: 1,
      write: 'kept',
      sandboxed: true,
    });
  });
});
