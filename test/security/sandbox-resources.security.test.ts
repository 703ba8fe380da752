// One tool call must not take the server down: 3 GB of output, an output flood, a fork bomb (server as a child process).
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { readFileSync } from 'node:fs';
import { createSandbox } from '../../src/security/sandbox';
import type { RunningBinary } from '../support/compiled-binary';
import type { FakeOpenAiServer } from '../support/fake-openai-server';
import { descendantsOf, descendantsRunning, waitUntil } from '../support/process-probe';
import { type ServerProcess, startServerProcess } from '../support/server-process';
import { readSse } from '../support/sse-client';

const hasBwrap = createSandbox().isAvailable();
const python = Bun.which('python3', { PATH: '/usr/local/bin:/usr/bin:/bin' });
const MIB = 1024 * 1024;

/** Resident memory of a process, in bytes (VmRSS). */
const rssOf = (pid: number) =>
  Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

describe.skipIf(!hasBwrap || !python)('resource limits of one tool call (server in its own process)', () => {
  let running: ServerProcess;
  let model: FakeOpenAiServer;
  let server: RunningBinary;
  const api = (method: string, path: string, body?: unknown) => running.api(method, path, body);

  /** Runs one chat turn whose only tool call is `call`, sampling the server's RSS and health until it ends. */
  const toolTurn = async (call: { name: string; args: unknown }, onTick: () => void = () => undefined) => {
    model.enqueue({ kind: 'tool_calls', calls: [call] }, { kind: 'text', text: 'ok' });
    const session = await api('POST', '/api/sessions');
    const baseline = rssOf(server.child.pid);
    let peak = baseline;
    let healthChecks = 0;
    let unhealthy = 0;
    let done = false;
    const turn = fetch(`${server.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'go', session_id: session.body.data.session_id }),
    })
      .then(readSse)
      .finally(() => (done = true));
    while (!done) {
      peak = Math.max(peak, rssOf(server.child.pid));
      onTick();
      const health = await fetch(`${server.url}/api/health`).catch(() => null);
      healthChecks++;
      if (health?.status !== 200) unhealthy++;
      await health?.arrayBuffer();
    }
    const events = await turn;
    const output = JSON.parse(events.find((event) => event.event === 'tool_end')!.data.output);
    return { output, grewBy: peak - baseline, healthChecks, unhealthy };
  };

  beforeAll(async () => {
    running = await startServerProcess();
    ({ model, server } = running);
    // Warm the chat and tool paths so their first-use allocations are not counted as the flood's.
    for (let round = 0; round < 3; round++)
      await toolTurn({ name: 'terminal', args: { command: 'head -c 100000 /dev/zero' } });
  });

  afterAll(async () => {
    await running?.[Symbol.asyncDispose]();
  });

  it('reads 3 GB of output in bounded memory, keeping its head and tail', async () => {
    const put = await api('PUT', '/api/config/runtime', {
      config: { tool_sandbox: { max_output_mb: 4096 }, tool_timeouts: { terminal_seconds: 120 } },
    });
    expect(put.status).toBe(200);
    const { output, grewBy, unhealthy, healthChecks } = await toolTurn({
      name: 'terminal',
      args: { command: 'head -c 3000000000 /dev/zero' },
    });
    expect(output.ok).toBe(true);
    expect(output.data.truncated).toBe(true);
    expect(output.data.stdout).toContain('...[truncated');
    expect(grewBy).toBeLessThan(50 * MIB);
    expect({ unhealthy, answered: healthChecks > 0 }).toEqual({ unhealthy: 0, answered: true });
  }, 120_000);

  it('kills the process group past tool_sandbox.max_output_mb and says so', async () => {
    await api('PUT', '/api/config/runtime', { config: { tool_sandbox: { max_output_mb: 64 } } });
    const { output, grewBy } = await toolTurn({ name: 'terminal', args: { command: 'head -c 3000000000 /dev/zero' } });
    expect(output.error).toEqual(
      expect.objectContaining({
        code: 'E_OUTPUT_LIMIT',
        details: expect.objectContaining({ max_output_bytes: 64 * MIB }),
      }),
    );
    expect(grewBy).toBeLessThan(50 * MIB);
  }, 60_000);

  it('contains a fork bomb: bounded processes, ended by the timeout, nothing left, health answered throughout', async () => {
    await api('PUT', '/api/config/runtime', {
      config: { tool_sandbox: { max_processes: 64 }, tool_timeouts: { python_repl_seconds: 3 } },
    });
    const bomb = [
      'import os, time',
      "open('workspace/bomb-started', 'w').close()",
      'while True:',
      '    try:',
      '        os.fork()',
      '    except OSError:',
      '        time.sleep(0.01)',
    ].join('\n');
    let mostProcesses = 0;
    const count = () =>
      (mostProcesses = Math.max(mostProcesses, descendantsRunning(server.child.pid, '/usr/bin/python3 -I -').length));
    const { output, grewBy, unhealthy, healthChecks } = await toolTurn(
      { name: 'python_repl', args: { code: bomb } },
      count,
    );
    expect(output.error?.code).toBe('E_TIMEOUT');
    // The server's own python descendants only (other test runs on the machine do not count).
    expect(mostProcesses).toBeLessThanOrEqual(64);
    expect(mostProcesses).toBeGreaterThan(10);
    expect(grewBy).toBeLessThan(50 * MIB);
    expect({ unhealthy, answered: healthChecks > 0 }).toEqual({ unhealthy: 0, answered: true });
    expect(await waitUntil(() => descendantsOf(server.child.pid).length === 0)).toBe(true);
  }, 60_000);
});
