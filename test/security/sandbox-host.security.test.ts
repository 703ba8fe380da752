// Attacks on the host from inside the sandbox: kernel settings, host root, and a model that sets its own timeout.
import { describe, expect, it } from 'bun:test';
import { readFileSync } from 'node:fs';
import { createSandbox } from '../../src/security/sandbox';
import { killEach, livePidsWith, pidsRunningExactly, waitUntil } from '../support/process-probe';
import { createToolHarness } from '../support/tool-harness';

const sandboxStatus = createSandbox().status();
const hasBwrap = sandboxStatus.available;
const python = Bun.which('python3', { PATH: '/usr/local/bin:/usr/bin:/bin' });
const runsAsRoot = process.geteuid?.() === 0;

/** Writes every readable /proc/sys value back unchanged, plus the sysrq trigger; prints what was accepted. */
const KERNEL_WRITES = `
import os
accepted, tried = [], 0
for folder, _, files in os.walk('/proc/sys'):
    for name in files:
        path = os.path.join(folder, name)
        try:
            with open(path) as handle:
                value = handle.read()
        except OSError:
            continue
        tried += 1
        try:
            with open(path, 'w') as handle:
                handle.write(value)
            accepted.append(path)
        except OSError:
            pass
for path in ['/proc/sysrq-trigger', '/sys/kernel/uevent_helper']:
    try:
        with open(path, 'w') as handle:
            handle.write('')
        accepted.append(path)
    except OSError:
        pass
status = open('/proc/self/status').read() if os.path.exists('/proc/self/status') else ''
caps = [line.split()[1] for line in status.splitlines() if line.startswith('CapEff')]
print(len(accepted), tried, os.getuid(), caps[0] if caps else 'no-proc', ' '.join(accepted[:5]))
`;

describe.skipIf(!hasBwrap || !python)('the sandbox never gives host root or the host kernel', () => {
  it('refuses every write under /proc/sys (even of the value already there), and runs as 65534 with no capabilities', async () => {
    using harness = createToolHarness({ config: { tool_timeouts: { python_repl_seconds: 60 } } });
    const result = await harness.call('python_repl', { code: KERNEL_WRITES });
    const [accepted, tried, uid, caps, firstAccepted = ''] = String(result.data.output).split(' ');
    expect({ accepted: Number(accepted), uid, firstAccepted }).toEqual({
      accepted: 0,
      uid: '65534',
      firstAccepted: '',
    });
    if (caps !== 'no-proc') expect(caps).toBe('0000000000000000');
    // With its own /proc the walk really tried the kernel's settings (in a container without one there is nothing to try).
    if (sandboxStatus.proc) expect(Number(tried)).toBeGreaterThan(100);
  });

  it('runs sandboxed processes under an unprivileged host uid: 65534 when the server is root, never 0', async () => {
    using harness = createToolHarness({ config: { tool_timeouts: { terminal_seconds: 20 } } });
    const marker = `sleep 9.${process.pid % 1000}7`;
    const call = harness.call('terminal', { command: marker });
    // The command itself (bwrap's own processes carry the command line in their arguments too).
    const commandPids = () => pidsRunningExactly(marker);
    expect(await waitUntil(() => commandPids().length > 0)).toBe(true);
    const sleepers = commandPids();
    const hostUids = sleepers.map((pid) => /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    const hostCaps = sleepers.map((pid) => /^CapEff:\s+(\w+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    killEach(livePidsWith(marker));
    await call;
    expect(hostUids.length).toBeGreaterThan(0);
    for (const uid of hostUids) expect(uid).toBe(runsAsRoot ? '65534' : String(process.geteuid?.()));
    for (const caps of hostCaps) expect(caps).toBe('0000000000000000');
  });
});

describe.skipIf(!hasBwrap)("the operator's timeout is the ceiling", () => {
  it('ignores a longer timeout from the model and kills the whole tree, setsid children included', async () => {
    using harness = createToolHarness({ config: { tool_timeouts: { terminal_seconds: 2 } } });
    const detached = `sleep 97.${process.pid % 1000}3`;
    const main = `sleep 96.${process.pid % 1000}3`;
    const result = await harness.call('terminal', { command: `setsid ${detached} & ${main}`, timeout: 3600 });
    expect(result.error).toEqual(
      expect.objectContaining({ code: 'E_TIMEOUT', details: expect.objectContaining({ timeout_seconds: 2 }) }),
    );
    expect(await waitUntil(() => livePidsWith(detached).length === 0 && livePidsWith(main).length === 0)).toBe(true);
  });

  it('lets the model shorten it', async () => {
    using harness = createToolHarness({ config: { tool_timeouts: { terminal_seconds: 30 } } });
    const result = await harness.call('terminal', { command: `sleep 95.${process.pid % 1000}3`, timeout: 1 });
    expect(result.error).toEqual(
      expect.objectContaining({ code: 'E_TIMEOUT', details: expect.objectContaining({ timeout_seconds: 1 }) }),
    );
  });
});
