// A sandboxed call never outlives the server: killed with SIGKILL mid-call, it takes the whole call with it.
import { describe, expect, it } from 'bun:test';
import { createSandbox } from '../../src/security/sandbox';
import { killEach, livePidsWith, pidsRunningExactly, waitUntil } from '../support/process-probe';
import { startServerProcess } from '../support/server-process';

const hasBwrap = createSandbox().isAvailable();

describe.skipIf(!hasBwrap)('a server killed mid-call', () => {
  it('leaves no process of the call behind, setsid ones included', async () => {
    await using running = await startServerProcess();
    const main = `sleep 61.${process.pid % 1000}7`;
    const detached = `sleep 62.${process.pid % 1000}7`;
    const turn = running
      .toolTurn([{ name: 'terminal', args: { command: `setsid ${detached} & ${main}` } }])
      .catch(() => 'connection lost');
    expect(
      await waitUntil(() => pidsRunningExactly(main).length > 0 && pidsRunningExactly(detached).length > 0, 20_000),
    ).toBe(true);
    running.server.child.kill('SIGKILL');
    await running.server.child.exited;
    expect(await turn).toBe('connection lost');
    // Every process of the call: the sleeps and the bubblewrap processes whose command lines hold them.
    const gone = await waitUntil(() => livePidsWith(main).length === 0 && livePidsWith(detached).length === 0, 10_000);
    const survivors = [...new Set([...livePidsWith(main), ...livePidsWith(detached)])];
    killEach(survivors);
    expect({ gone, survivors: survivors.length }).toEqual({ gone: true, survivors: 0 });
  }, 60_000);
});
