// Where no sandbox can start, process tools are refused (unless mode off), and the operator is told at start-up and in /api/ready.
import { describe, expect, it } from 'bun:test';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSandbox } from '../../src/security/sandbox';
import { createLogger } from '../../src/shared/logger';
import { startChatFixture } from '../support/chat-fixture';
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
    // A bubblewrap that answers only once this test lets it: the server must be up and answering before.
    const go = join(temp.path, 'go');
    const bwrap = join(temp.path, 'bwrap');
    writeFileSync(
      bwrap,
      `#!/bin/sh\nwhile [ ! -e '${go}' ]; do sleep 0.01; done\necho 'bwrap: no user namespaces' >&2\nexit 1\n`,
    );
    chmodSync(bwrap, 0o755);
    const sandbox = createSandbox({ bwrap, variants: [{ start: 'direct', proc: false, hardened: false }] });
    const lines: string[] = [];
    await using fixture = await startChatFixture({
      overrides: { sandbox, logger: createLogger('info', (line) => lines.push(line)) },
    });
    const warned = () => lines.some((line) => line.includes('terminal and python_repl are refused'));
    expect((await fixture.server.json('GET', '/api/health')).status).toBe(200);
    expect(warned()).toBe(false);
    writeFileSync(go, '');
    expect(await waitUntil(warned)).toBe(true);
    const warnings = lines.filter((line) => line.includes('terminal and python_repl are refused'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('bubblewrap cannot start a sandbox here: bwrap: no user namespaces');
  });
});
