// Memory a sandboxed call can hold outside its address-space limit (tmpfs, memfd) must never cost the server its life.
import { afterAll, describe, expect, it } from 'bun:test';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSandbox } from '../../src/security/sandbox';
import { killEach, pidsRunningExactly, waitUntil } from '../support/process-probe';
import { startServerProcess } from '../support/server-process';
import { createToolHarness } from '../support/tool-harness';

const status = createSandbox().status();
const python = Bun.which('python3', { PATH: '/usr/local/bin:/usr/bin:/bin' });
const MIB = 1024 * 1024;

/** Fills each path with 1 MiB writes up to `mib` MiB (or until refused); prints what each got. */
const fill = (paths: string[], mib: number) => `
import json, os
got = {}
for path in ${JSON.stringify(paths)}:
    written = 0
    try:
        with open(path, 'wb') as handle:
            for _ in range(${mib}):
                handle.write(b'x' * (1 << 20))
                handle.flush()
                written += 1
    except OSError as error:
        pass
    got[path] = written
print(json.dumps(got))
`;

describe.skipIf(!status.available || !python)('memory outside the address-space limit', () => {
  it('gives /dev no room for files: /tmp and /dev/shm each hold at most tmp_size_mb', async () => {
    using harness = createToolHarness({
      config: { tool_sandbox: { tmp_size_mb: 16 }, tool_timeouts: { python_repl_seconds: 60 } },
    });
    const result = await harness.call('python_repl', { code: fill(['/tmp/a', '/dev/shm/b', '/dev/c'], 48) });
    // /dev was a tmpfs the size of half the host's memory, writable by the sandbox.
    expect(JSON.parse(result.data.output)).toEqual({ '/tmp/a': 16, '/dev/shm/b': 16, '/dev/c': 0 });
  });

  it("makes every sandboxed process the OOM killer's first choice, and keeps it so", async () => {
    using harness = createToolHarness({ config: { tool_timeouts: { python_repl_seconds: 20 } } });
    const marker = `sleep 8.${process.pid % 1000}9`;
    const code = [
      'import subprocess',
      'lowered = "refused"',
      'try:',
      "    open('/proc/self/oom_score_adj', 'w').write('0')",
      "    lowered = open('/proc/self/oom_score_adj').read().strip()",
      'except OSError:',
      '    pass',
      `subprocess.run(${JSON.stringify(marker.split(' '))})`,
      'print(lowered)',
    ].join('\n');
    const call = harness.call('python_repl', { code });
    expect(await waitUntil(() => pidsRunningExactly(marker).length > 0)).toBe(true);
    const scores = pidsRunningExactly(marker).map((pid) => readFileSync(`/proc/${pid}/oom_score_adj`, 'utf8').trim());
    killEach(pidsRunningExactly(marker));
    const result = await call;
    expect(scores).toEqual(scores.map(() => '1000'));
    // Lowering it back to the server's 0 was allowed through the sandbox's own /proc.
    expect(result.data.output).toBe('refused');
  });
});

/** Resident memory of a process, in bytes (VmRSS). */
const rssOf = (pid: number) =>
  Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

describe.skipIf(!status.available)('files a call leaves in its areas', () => {
  it('cannot make the server read more of a prompt file than the prompt takes', async () => {
    await using running = await startServerProcess();
    // 600 MB of prompt files in no time and no disk (sparse): the next turn grew the server by 1.7 GB.
    const command = 'truncate -s 200M workspace/AGENTS.md workspace/SOUL.md workspace/USER.md';
    expect(
      running.toolOutputs(await running.toolTurn([{ name: 'terminal', args: { command } }]))[0].data.exit_code,
    ).toBe(0);
    const pid = running.server.child.pid;
    const baseline = rssOf(pid);
    let peak = baseline;
    let done = false;
    const requestsBefore = running.model.chatRequests().length;
    const turn = running.toolTurn([]).finally(() => (done = true));
    while (!done) {
      peak = Math.max(peak, rssOf(pid));
      await Bun.sleep(5);
    }
    await turn;
    expect(peak - baseline).toBeLessThan(50 * MIB);
    const content = running.model.chatRequests()[requestsBefore]!.body.messages[0].content as
      | string
      | { text: string }[];
    const system = typeof content === 'string' ? content : content.map((part) => part.text).join('');
    expect(system).toContain('<!-- Agents Guide -->');
    expect(system).toContain('...[truncated]');
  }, 60_000);
});

/** A child of this process's own memory cgroup (v1) with a limit, or null with the reason it cannot be made here. */
function makeMemoryCgroup(limitBytes: number): { path: string } | { reason: string } {
  const line = readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .find((entry) => /^\d+:memory:/.test(entry));
  if (!line) return { reason: 'no cgroup v1 memory controller' };
  const path = join('/sys/fs/cgroup/memory', line.split(':')[2]!, `moc-oom-test-${process.pid}`);
  try {
    mkdirSync(path);
    writeFileSync(join(path, 'memory.limit_in_bytes'), String(limitBytes));
    return { path };
  } catch (error) {
    if (existsSync(path)) rmdirSync(path);
    return { reason: `cannot make a memory cgroup: ${(error as Error).message}` };
  }
}

const cgroup = status.available && python ? makeMemoryCgroup(512 * MIB) : { reason: 'no sandbox or python3' };
if ('reason' in cgroup) console.warn(`skipped: the OOM replay needs a memory cgroup (${cgroup.reason})`);

describe.skipIf('reason' in cgroup)('a server under a memory limit', () => {
  afterAll(async () => {
    if (!('path' in cgroup)) return;
    // The cgroup can go once the processes it held are gone.
    await waitUntil(() => readFileSync(join(cgroup.path, 'cgroup.procs'), 'utf8').trim() === '');
    rmdirSync(cgroup.path);
  });

  it('survives a tool that holds more memory than the limit through memfds (not counted by RLIMIT_AS)', async () => {
    if (!('path' in cgroup)) return;
    await using running = await startServerProcess();
    writeFileSync(join(cgroup.path, 'cgroup.procs'), String(running.server.child.pid));
    await running.api('PUT', '/api/config/runtime', { config: { tool_timeouts: { python_repl_seconds: 60 } } });
    // 1.2 GB in six memfds of 200 MB (each under max_file_size_mb) while the process's own size stays small,
    // after trying to give up the OOM score that makes it the first to go.
    const code = [
      'import os',
      'try:',
      "    open('/proc/self/oom_score_adj', 'w').write('0')",
      'except OSError:',
      '    pass',
      'chunk = b"x" * (8 << 20)',
      'held = []',
      'for index in range(6):',
      '    fd = os.memfd_create("held%d" % index)',
      '    for _ in range(25):',
      '        os.write(fd, chunk)',
      '    held.append(fd)',
      'print("held", len(held) * 200, "MB")',
    ].join('\n');
    const events = await running
      .toolTurn([{ name: 'python_repl', args: { code } }])
      .catch((error: Error) => error.message);
    // The kernel killed the server (the largest process it could see) before; now it kills the tool.
    expect(typeof events === 'string' ? events : running.toolOutputs(events)[0]?.error?.details?.exit_code).toBe(137);
    expect((await running.api('GET', '/api/health')).status).toBe(200);
  }, 60_000);
});
