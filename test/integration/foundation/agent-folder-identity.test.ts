// A single server whose agent folder changes under a live run (a file written into the workspace) keeps the run.
import { describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServerProcess } from '../../support/server-process';
import { chatInNewSession } from '../../support/sse-client';

/**
 * strace, to run the server as on a kernel or sandbox without statx (Bun then reads birth time as ctime); `.ci/run`
 * installs it, and without it the case fails rather than being skipped.
 */
const strace = Bun.which('strace') ?? 'strace';

describe('an agent folder written into under a live run, on one SQLite server', () => {
  const cases: [string, string[] | undefined][] = [
    ['statx', undefined],
    ['no statx', [strace, '-f', '-o', '/dev/null', '-e', 'inject=statx:error=ENOSYS']],
  ];
  for (const [name, launcher] of cases) {
    it(`keeps the agent and its run (${name})`, async () => {
      await using server = await startServerProcess(launcher ? { launcher } : {});
      const { promise: released, resolve: release } = Promise.withResolvers<void>();
      server.model.enqueue({ kind: 'held', until: released, step: { kind: 'text', text: 'all done' } });
      const turn = chatInNewSession(server.server.url, 'write a note');
      await server.model.waitForRequests(1);
      // An operator, a sync tool or the agent's own file tool adds a file to the workspace: the folder's ctime moves.
      writeFileSync(join(server.dataDir, 'workspaces', 'default', 'NOTES.md'), 'a note\n');
      expect((await server.api('GET', '/api/sessions')).status).toBe(200);
      release();
      const events = await turn;
      expect(events.filter((event) => event.event === 'error').map((event) => event.data)).toEqual([]);
      expect(events.map((event) => event.event)).toContain('done');
    }, 60_000);
  }
});
