// Scheduled work of an agent whose folder went away under the server (another replica deleted it on the shared
// volume, or an operator moved it): a tick or job run due after that writes nothing and calls no model.
import { Database } from 'bun:sqlite';
import { describe, expect, it } from 'bun:test';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../../src/shared/clock';
import { createLogger } from '../../../src/shared/logger';
import { startChatFixture } from '../../support/chat-fixture';
import { createJob, waitFor } from '../../support/scheduler-fixture';

/** A server with agent `victim`, its scheduler's timers held here, its log kept. */
async function victimServer() {
  const armed: { callback: () => void; ms: number }[] = [];
  const log: string[] = [];
  // The clock moves on to each timer the test fires, so what the timer was armed for is due.
  let shiftMs = 0;
  const fixture = await startChatFixture({
    overrides: {
      logger: createLogger('info', (line) => void log.push(line)),
      clock: { ...systemClock, nowMs: () => Date.now() + shiftMs },
      schedulerTimers: {
        setTimeout: (callback: () => void, ms: number) => armed.push({ callback, ms }),
        clearTimeout: () => undefined,
      },
    },
  });
  expect((await fixture.server.json('POST', '/api/agents', { agent_id: 'victim' })).status).toBe(200);
  const workspaces = join(fixture.server.dataDir, 'workspaces');
  /** Fires the due timer with the folder moved away behind the server's back (a delete on another replica), then reads its database. */
  const fireWithFolderGone = async <T>(read: (db: Database) => T): Promise<T> => {
    const due = await waitFor(() => armed.shift());
    shiftMs = due.ms;
    renameSync(join(workspaces, 'victim'), join(workspaces, '.moved-victim'));
    due.callback();
    // The tick or run looks whether its agent is still there before it claims the slot, and says so when it is not.
    await waitFor(() => (log.some((line) => line.includes('scheduled work skipped')) ? true : undefined));
    const db = new Database(join(workspaces, '.moved-victim', 'storage', 'agent.db'), { readonly: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  };
  return { fixture, fireWithFolderGone };
}

describe('scheduled work of an agent whose folder is gone', () => {
  it('a heartbeat tick due after the folder went away writes no row and runs no turn', async () => {
    const { fixture, fireWithFolderGone } = await victimServer();
    await using _ = fixture;
    await fixture.server.json('POST', '/api/files?agent_id=victim', {
      path: 'workspace/HEARTBEAT.md',
      content: '- check the inbox\n',
    });
    await fixture.server.json('PUT', '/api/scheduler/heartbeat?agent_id=victim', {
      enabled: true,
      interval_seconds: 60,
      active_start_hour: 0,
      active_end_hour: 0,
    });
    expect(await fireWithFolderGone((db) => db.query('SELECT status FROM heartbeat_runs').all())).toEqual([]);
    expect(fixture.model.chatRequests()).toHaveLength(0);
  });

  it('a cron run due after the folder went away writes no row and runs no turn', async () => {
    const { fixture, fireWithFolderGone } = await victimServer();
    await using _ = fixture;
    await createJob(fixture.server, { name: 'news', schedule_type: 'every', schedule: '60' }, 'victim');
    expect(await fireWithFolderGone((db) => db.query('SELECT status FROM cron_runs').all())).toEqual([]);
    expect(fixture.model.chatRequests()).toHaveLength(0);
  });
});
