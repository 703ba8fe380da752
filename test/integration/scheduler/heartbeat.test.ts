import { describe, expect, it } from 'bun:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { heartbeatLock } from '../../../src/coordination';
import { createMemoryCoordinator } from '../../../src/coordination/memory/memory-coordinator';
import { systemClock } from '../../../src/shared/clock';
import { startChatFixture, type ChatFixture } from '../../support/chat-fixture';
import { heartbeatRuns, waitFor } from '../../support/scheduler-fixture';

const CHECKLIST = '# Daily checks\n<!-- the operator wrote this -->\n- Look for overdue tasks in memory/tasks.md\n';

const writeChecklist = (fixture: ChatFixture, text = CHECKLIST) =>
  fixture.server.json('POST', '/api/files', { path: 'workspace/HEARTBEAT.md', content: text });
const tick = async (fixture: ChatFixture) =>
  (await fixture.server.json('POST', '/api/scheduler/heartbeat/run')).body.data.run;
const alwaysActive = { active_start_hour: 0, active_end_hour: 0 };

describe('heartbeat', () => {
  it('round-trips its config through PUT and answers 422 for a bad zone or session id', async () => {
    await using fixture = await startChatFixture();
    const put = await fixture.server.json('PUT', '/api/scheduler/heartbeat', {
      enabled: false,
      interval_seconds: 120,
      session_id: ' __heartbeat_test__ ',
      timezone: 'Asia/Tokyo',
    });
    const expected = {
      enabled: false,
      interval_seconds: 120,
      timezone: 'Asia/Tokyo',
      active_start_hour: 9,
      active_end_hour: 21,
      session_id: '__heartbeat_test__',
    };
    expect(put.body.data).toEqual({ agent_id: 'default', config: expected });
    expect((await fixture.server.json('GET', '/api/scheduler/heartbeat')).body.data.config).toEqual(expected);
    expect(
      (await fixture.server.json('PUT', '/api/scheduler/heartbeat', { timezone: '  ' })).body.data.config.timezone,
    ).toBe('Asia/Tokyo');
    const badZone = await fixture.server.json('PUT', '/api/scheduler/heartbeat', { timezone: 'Atlantis/Central' });
    expect([badZone.status, badZone.body.error.details.items[0].field]).toEqual([422, 'timezone']);
    const badSession = await fixture.server.json('PUT', '/api/scheduler/heartbeat', { session_id: '../escape' });
    expect([badSession.status, badSession.body.error.details.items[0].field]).toEqual([422, 'session_id']);
    const badInterval = await fixture.server.json('PUT', '/api/scheduler/heartbeat', { interval_seconds: 10 });
    expect([badInterval.status, badInterval.body.error.details.items[0].field]).toEqual([422, 'interval_seconds']);
  });

  it('records every skip state without calling the model', async () => {
    await using fixture = await startChatFixture();
    const { server, model } = fixture;
    // Disabled (the default).
    expect((await tick(fixture)).status).toBe('skipped_disabled');
    // Enabled with the seeded template, which holds only headings: the first tick comes at once.
    await server.json('PUT', '/api/scheduler/heartbeat', { enabled: true, ...alwaysActive });
    const noPrompt = await waitFor(async () =>
      (await heartbeatRuns(fixture.server)).find((row) => row.status === 'skipped_no_prompt'),
    );
    expect(noPrompt).toEqual(
      expect.objectContaining({ trigger: 'scheduled', timezone: 'UTC', details: { session_id: '__heartbeat__' } }),
    );
    // Outside the active window.
    const hour = new Date().getUTCHours();
    await server.json('PUT', '/api/scheduler/heartbeat', {
      active_start_hour: (hour + 1) % 24,
      active_end_hour: (hour + 2) % 24,
    });
    await writeChecklist(fixture);
    const outside = await tick(fixture);
    expect(outside).toEqual(
      expect.objectContaining({
        status: 'skipped_outside_window',
        details: { active_start_hour: (hour + 1) % 24, active_end_hour: (hour + 2) % 24, local_hour: hour },
      }),
    );
    // Busy: a chat run is live in the heartbeat session.
    await server.json('PUT', '/api/scheduler/heartbeat', alwaysActive);
    await server.deps.sessions.of(server.deps.agents.get('default')).create('Heartbeat', '__heartbeat__');
    model.enqueue({ kind: 'hang' });
    const chat = fixture.chat({ message: 'are you there?', session_id: '__heartbeat__' });
    await model.waitForRequests(1);
    expect((await tick(fixture)).status).toBe('skipped_busy');
    expect(model.chatRequests()).toHaveLength(1);
    expect(model.chatRequests()[0]!.body.messages.at(-1).content).toBe('are you there?');
    void chat.then((response) => response.body?.cancel());
    // Switched off in the config file by hand: the next tick notices and records it.
    writeFileSync(
      join(server.dataDir, 'workspaces', 'default', 'config.json'),
      JSON.stringify({ heartbeat: { enabled: false } }),
    );
    expect((await tick(fixture)).status).toBe('skipped_disabled');
    const statuses = (await heartbeatRuns(server)).map((row) => row.status);
    expect(new Set(statuses)).toEqual(
      new Set(['skipped_disabled', 'skipped_no_prompt', 'skipped_outside_window', 'skipped_busy']),
    );
    expect(model.chatRequests()).toHaveLength(1);
    const logged = readFileSync(
      join(server.dataDir, 'workspaces', 'default', 'storage', 'heartbeat_runs.jsonl'),
      'utf8',
    )
      .trim()
      .split('\n');
    expect(logged.map((line) => JSON.parse(line).status)).toEqual([...statuses].reverse());
  });

  it('suppresses an all-clear reply from the session, keeps other replies, and records usage under heartbeat', async () => {
    await using fixture = await startChatFixture();
    const { server, model } = fixture;
    await writeChecklist(fixture);
    // Scripted before enabling: the first tick is due at once and may reach the model before the PUT answers.
    model.enqueue({ kind: 'text', text: ' HEARTBEAT_OK ' }, { kind: 'text', text: 'Two tasks are overdue.' });
    await server.json('PUT', '/api/scheduler/heartbeat', { enabled: true, interval_seconds: 3600, ...alwaysActive });
    const first = await waitFor(async () => (await heartbeatRuns(server)).find((row) => row.status === 'ok'));
    expect(first).toEqual(
      expect.objectContaining({
        trigger: 'scheduled',
        details: { session_id: '__heartbeat__', suppressed: true, response_preview: 'HEARTBEAT_OK' },
      }),
    );
    const sent = model.chatRequests()[0]!.body.messages.at(-1).content as string;
    expect(sent).toStartWith('# Daily checks\n- Look for overdue tasks in memory/tasks.md\n\n[Heartbeat rules]');
    const history = async () =>
      (await server.json('GET', '/api/sessions/__heartbeat__/history')).body.data.messages.map((message: any) => [
        message.role,
        message.content,
      ]);
    expect(await history()).toEqual([]);

    const second = await tick(fixture);
    expect(second).toEqual(
      expect.objectContaining({
        status: 'ok',
        trigger: 'manual',
        details: { session_id: '__heartbeat__', suppressed: false, response_preview: 'Two tasks are overdue.' },
      }),
    );
    expect(await history()).toEqual([
      ['user', '# Daily checks\n- Look for overdue tasks in memory/tasks.md'],
      ['assistant', 'Two tasks are overdue.'],
    ]);
    const triggers = await server.deps.agents.get('default').storage.usage.records({ sinceMs: 0 }, 1000);
    expect(triggers.map((row) => row.trigger_type)).toEqual(['heartbeat', 'heartbeat']);
  });

  it('drops an all-clear while its run still holds the session, so a message sent right after it stays', async () => {
    await using fixture = await startChatFixture();
    const { server, model } = fixture;
    await writeChecklist(fixture);
    // Once the run had ended the tick deleted what followed its mark: a chat or queued message stored there
    // meanwhile went with it. The delete now comes before the run lets the session go.
    const messages = server.deps.agents.get('default').storage.messages;
    const deleteAfter = messages.deleteAfter.bind(messages);
    const busyAtDelete: boolean[] = [];
    messages.deleteAfter = async (sessionId, mark) => {
      busyAtDelete.push(await server.deps.chat.isBusy('default', sessionId));
      return deleteAfter(sessionId, mark);
    };
    model.enqueue({ kind: 'text', text: 'HEARTBEAT_OK' });
    await server.json('PUT', '/api/scheduler/heartbeat', { enabled: true, interval_seconds: 3600, ...alwaysActive });
    const row = await waitFor(async () => (await heartbeatRuns(server)).find((run) => run.status === 'ok'));
    expect(row.details).toMatchObject({ suppressed: true });
    expect(busyAtDelete).toEqual([true]);
    expect((await server.json('GET', '/api/sessions/__heartbeat__/history')).body.data.messages).toEqual([]);
  });

  it('records a model failure as error', async () => {
    await using fixture = await startChatFixture();
    await writeChecklist(fixture);
    await fixture.server.json('PUT', '/api/config/runtime', {
      config: { agent_runtime: { max_retries: 0 }, heartbeat: alwaysActive },
    });
    await fixture.server.json('PUT', '/api/scheduler/heartbeat', { enabled: true, interval_seconds: 3600 });
    fixture.model.setFallback({ kind: 'error', status: 400 });
    const row = await waitFor(async () => (await heartbeatRuns(fixture.server)).find((run) => run.status === 'error'));
    expect(row.details.error).toContain('400');
  });

  it('arms the next tick after a tick that failed outright, so heartbeats go on', async () => {
    // The first claim of the heartbeat fails (its storage, say); timers are held here and fired by the test.
    let failClaim = true;
    const memory = createMemoryCoordinator(systemClock);
    const coordinator = {
      ...memory,
      tryLock: async (name: string) => {
        if (name === heartbeatLock('default') && failClaim) {
          failClaim = false;
          throw new Error('database is locked');
        }
        return memory.tryLock(name);
      },
    };
    let shiftMs = 0;
    const armed: { callback: () => void; ms: number }[] = [];
    await using fixture = await startChatFixture({
      overrides: {
        coordinator,
        clock: { ...systemClock, nowMs: () => Date.now() + shiftMs },
        schedulerTimers: {
          setTimeout: (callback: () => void, ms: number) => armed.push({ callback, ms }),
          clearTimeout: () => undefined,
        },
      },
    });
    await writeChecklist(fixture);
    fixture.model.enqueue({ kind: 'text', text: 'Two tasks are overdue.' });
    await fixture.server.json('PUT', '/api/scheduler/heartbeat', {
      enabled: true,
      interval_seconds: 60,
      ...alwaysActive,
    });
    // The first tick is due at once: its timer fires, the tick fails, and the next is armed a minute on.
    (await waitFor(() => armed.shift())).callback();
    const next = await waitFor(() => armed.find((timer) => timer.ms > 50_000));
    expect(failClaim).toBe(false);
    expect(await heartbeatRuns(fixture.server)).toEqual([]);
    shiftMs = next.ms;
    next.callback();
    const run = await waitFor(async () => (await heartbeatRuns(fixture.server)).find((row) => row.status === 'ok'));
    expect(run.trigger).toBe('scheduled');
  });
});
