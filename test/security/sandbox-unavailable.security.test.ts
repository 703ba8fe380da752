// Where no sandbox can start, process tools are refused (unless mode off), and the operator is told at start-up and in /api/ready.
import { describe, expect, it } from 'bun:test';
import { createSandbox } from '../../src/security/sandbox';
import { createLogger } from '../../src/shared/logger';
import { startChatFixture } from '../support/chat-fixture';
import { readSse } from '../support/sse-client';

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
});
