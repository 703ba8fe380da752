// Where no sandbox can start, process tools are refused (unless mode off), and the operator is told at start-up and in /api/ready.
import { describe, expect, it } from 'bun:test';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROBE_FOLDER_PREFIX, PROBE_STOPPED } from '../../src/security';
import { readEnvSettings } from '../../src/config';
import { createSandbox } from '../../src/security/sandbox';
import { startServer } from '../../src/server';
import { silentLogger } from '../../src/shared/logger';
import { createLogger } from '../../src/shared/logger';
import { startChatFixture } from '../support/chat-fixture';
import { countingProbed, fakeBwrap } from '../support/fake-bwrap';
import { waitUntil } from '../support/process-probe';
import { readSse } from '../support/sse-client';
import { makeTempDir } from '../support/temp-dir';

const noSandbox = createSandbox({ bwrap: null });

describe('without a working sandbox', () => {
  it('says so once at start-up and in /api/ready, and refuses terminal in the default mode', async () => {
    const lines: string[] = [];
    await using fixture = await startChatFixture({
      overrides: { sandbox: noSandbox, logger: createLogger('info', (line) => lines.push(line)) },
    });
    const warnings = lines
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.level === 'warn' && entry.message.includes('terminal and python_repl are refused'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toContain('bubblewrap (bwrap) is not installed');
    const ready = await fixture.server.json('GET', '/api/ready');
    expect(ready.body).toEqual({
      status: 'ready',
      details: {
        sandbox: { available: false, start: null, proc: false, reason: 'bubblewrap (bwrap) is not installed' },
        llm: expect.objectContaining({ runnable: true }),
      },
    });
    fixture.model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'terminal', args: { command: 'id' } }] },
      { kind: 'text', text: 'no' },
    );
    const events = await readSse(await fixture.chat({ message: 'run id', session_id: await fixture.newSession() }));
    const output = JSON.parse(events.find((event) => event.event === 'tool_end')!.data.output);
    expect(output.error.code).toBe('E_SANDBOX_UNAVAILABLE');
    expect(fixture.model.chatRequests()[0]!.body.tools.map((tool: any) => tool.function.name)).not.toContain(
      'terminal',
    );
  });

  it('reports a working sandbox in /api/ready', async () => {
    const status = createSandbox().status();
    await using fixture = await startChatFixture();
    expect((await fixture.server.json('GET', '/api/ready')).body).toEqual({
      status: 'ready',
      details: { sandbox: status, llm: expect.objectContaining({ runnable: true }) },
    });
  });

  it('starts without waiting for the probe, and warns once the probe has found no way', async () => {
    using temp = makeTempDir('moc-slow-probe-');
    // It answers only once this test lets it: the server must be up and answering before.
    const go = join(temp.path, 'go');
    const bwrap = fakeBwrap(temp.path, { answerWhen: go, refusal: 'bwrap: no user namespaces' });
    const lines: string[] = [];
    await using fixture = await startChatFixture({
      overrides: { sandbox: createSandbox(bwrap.options()), logger: createLogger('info', (line) => lines.push(line)) },
      awaitSandboxProbe: false,
    });
    const warnings = () => lines.filter((line) => line.includes('terminal and python_repl are refused'));
    expect((await fixture.server.json('GET', '/api/health')).status).toBe(200);
    // /api/ready says the probe is still running rather than holding the request (or the thread) until it ends.
    const sandboxOf = async () => (await fixture.server.json('GET', '/api/ready')).body.details.sandbox;
    expect(await sandboxOf()).toEqual({
      available: false,
      start: null,
      proc: false,
      reason: 'the sandbox probe is still running',
    });
    expect(warnings()).toEqual([]);
    writeFileSync(go, '');
    expect(await waitUntil(() => warnings().length > 0)).toBe(true);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toContain('bubblewrap cannot start a sandbox here: bwrap: no user namespaces');
    expect((await sandboxOf()).reason).toBe('bubblewrap cannot start a sandbox here: bwrap: no user namespaces');
    expect(bwrap.calls()).toBe(1);
  });

  it('stops a probe still running when the server stops, leaving no scratch agent in the data folder', async () => {
    using temp = makeTempDir('moc-stop-probing-');
    const bwrap = fakeBwrap(temp.path);
    const dataDir = join(temp.path, 'data');
    const workspaces = join(dataDir, 'workspaces');
    const sandbox = createSandbox(bwrap.options(workspaces));
    const fixture = await startChatFixture({ dataDir, overrides: { sandbox }, awaitSandboxProbe: false });
    const probes = () => readdirSync(workspaces).filter((name) => name.startsWith(PROBE_FOLDER_PREFIX));
    expect(await waitUntil(() => bwrap.calls() === 1)).toBe(true);
    expect(probes()).toHaveLength(1);
    await fixture[Symbol.asyncDispose]();
    expect(probes()).toEqual([]);
  });

  it('answers a /api/ready that waits on the probe as soon as the server begins to stop', async () => {
    using temp = makeTempDir('moc-ready-stopping-');
    const bwrap = fakeBwrap(temp.path);
    const sandbox = createSandbox(bwrap.options());
    const counted = countingProbed(sandbox);
    const dataDir = join(temp.path, 'data');
    const settings = readEnvSettings({ APP_DATA_DIR: dataDir, APP_LOG_LEVEL: 'silent' });
    const running = await startServer({
      settings: { ...settings, host: '127.0.0.1', port: 0 },
      overrides: { logger: silentLogger, env: {}, envFilePath: join(dataDir, '.env'), sandbox: counted.sandbox },
    });
    const ready = fetch(`${running.url}/api/ready`);
    // Start-up asked once, the request is the second: it waits on the probe now.
    expect(await waitUntil(() => counted.asked() === 2)).toBe(true);
    // As main.ts stops on SIGTERM: requests in flight may finish before the connections are closed.
    await running.close({ deadlineMs: 5_000 });
    // Stopping the probe came first; a stop that waited for this request would have let it say "still running".
    const answer = await ready;
    expect(answer.status).toBe(503);
    expect(((await answer.json()) as any).details.sandbox.reason).toBe(PROBE_STOPPED);
  });
});
