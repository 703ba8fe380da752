// A full data folder at start says nothing about bubblewrap: the sandbox is unavailable for now, the terminal's
// refusal is retryable, and once space is freed the next use probes again and the terminal runs. Needs root (mount).
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { createSandbox } from '../../src/security';
import { startChatFixture } from '../support/chat-fixture';
import { fillDisk, onSmallDisk } from '../support/disk-mounts';
import { waitFor } from '../support/scheduler-fixture';
import { readSse } from '../support/sse-client';
import { startTestServer } from '../support/start-test-server';
import { createToolHarness } from '../support/tool-harness';

describe('the sandbox on a full data folder', () => {
  it('the terminal is refused as retryable while the disk is full, and runs once space is freed', async () => {
    await onSmallDisk('moc-full-probe-', async (diskPath) => {
      // The probe's scratch agent goes on the full disk; the harness's own agent and database do not.
      const sandbox = createSandbox({ probeParent: diskPath });
      using harness = createToolHarness({ sandbox });
      fillDisk(join(diskPath, 'filler'));
      const refused = await harness.call('terminal', { command: 'echo hi' });
      expect(refused.ok).toBe(false);
      expect(refused.error).toEqual({
        code: 'E_SANDBOX_UNAVAILABLE',
        message: `Tool 'terminal' runs only in the sandbox, which could not be tried (the sandbox could not be tried: ${diskPath} takes no writes (ENOSPC)); the next call tries again`,
        retryable: true,
        details: {
          rule: 'sandbox_required',
          trigger: 'chat',
          reason: `the sandbox could not be tried: ${diskPath} takes no writes (ENOSPC)`,
        },
      });

      rmSync(join(diskPath, 'filler'));
      const ran = await harness.call('terminal', { command: 'echo hi' });
      expect(ran.ok).toBe(true);
      expect(ran.data.stdout).toBe('hi\n');
      expect(sandbox.retryReason()).toBeNull();
    });
  }, 30_000);

  it('a server started on a full disk gets its sandbox back once space is freed: /api/ready and a terminal call', async () => {
    await onSmallDisk('moc-full-start-', async (diskPath) => {
      const dataDir = join(diskPath, 'data');
      await (await startTestServer({ dataDir })).stop();
      fillDisk(join(diskPath, 'filler'));
      await using fixture = await startChatFixture({ dataDir });
      const { server } = fixture;
      const sandboxOf = async () => (await server.json('GET', '/api/ready')).body.details.sandbox;
      expect(await sandboxOf()).toEqual({
        available: false,
        start: null,
        proc: false,
        reason: `the sandbox could not be tried: ${join(dataDir, 'workspaces')} takes no writes (ENOSPC)`,
      });

      rmSync(join(diskPath, 'filler'));
      expect(await waitFor(async () => ((await sandboxOf()).available ? true : undefined))).toBe(true);
      fixture.model.enqueue(
        { kind: 'tool_calls', calls: [{ name: 'terminal', args: { command: 'echo sandboxed' } }] },
        { kind: 'text', text: 'done' },
      );
      const events = await readSse(await fixture.chat({ message: 'run it', session_id: await fixture.newSession() }));
      const output = JSON.parse(events.find((event) => event.event === 'tool_end')!.data.output);
      expect(output.ok).toBe(true);
      expect(output.data.stdout).toBe('sandboxed\n');
    });
  }, 60_000);
});
