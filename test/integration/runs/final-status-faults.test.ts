// A run whose final status storage refuses (a full disk mid-turn): the stream names the run, cancel says why the
// row still reads `running`, and the status is stored by itself once space returns.
import { describe, expect, it } from 'bun:test';
import { startChatFixture } from '../../support/chat-fixture';
import { waitFor } from '../../support/scheduler-fixture';
import { readStreamRest, readStreamUntil, streamSse } from '../../support/sse-client';
import { type DiskSwitch, withFailingWrites } from '../../support/storage-fault-ports';

/** Retry timers the test fires by hand (never by themselves), and the waits they were armed with. */
function manualTimers() {
  const armed = new Set<{ callback: () => void; ms: number }>();
  return {
    armed,
    timers: {
      setTimeout(callback: () => void, ms: number) {
        const entry = { callback, ms };
        armed.add(entry);
        return entry;
      },
      clearTimeout: (handle: unknown) => void armed.delete(handle as { callback: () => void; ms: number }),
    },
    /** Fires the one armed timer (once one is armed); returns the wait it was armed with. */
    async fire() {
      const [next] = await waitFor(() => (armed.size === 1 ? [...armed] : undefined));
      armed.delete(next!);
      next!.callback();
      return next!.ms;
    },
  };
}

/** A server whose agents' reply writes and run-row updates fail like a full disk while `disk.full`. */
async function fullDiskFixture(disk: DiskSwitch, retries: ReturnType<typeof manualTimers>) {
  return startChatFixture({
    overrides: {
      runStatusTimers: retries.timers,
      wrapAgentStorage: (storage) => ({
        ...storage,
        messages: withFailingWrites(storage.messages, ['append'], disk),
        runs: withFailingWrites(storage.runs, ['update'], disk),
      }),
    },
  });
}

describe('a run whose final status cannot be stored', () => {
  it('names the run in its error, answers cancel honestly, and stores the status once space returns', async () => {
    const disk: DiskSwitch = { full: false, refused: 0 };
    const retries = manualTimers();
    await using fixture = await fullDiskFixture(disk, retries);
    const { server, model } = fixture;
    const sessionId = await fixture.newSession();
    model.enqueue({ kind: 'text', text: 'word '.repeat(40), chunkSize: 5, delayMs: 5 });
    const stream = streamSse(await fixture.chat({ message: 'Talk', session_id: sessionId }));
    const head = await readStreamUntil(stream, (record) => record.event === 'token');
    const runId = head.find((record) => record.event === 'run_start')!.data.run_id;
    // The disk fills mid-turn: the reply and then the run's final status are refused.
    disk.full = true;
    const tail = await readStreamRest(stream);
    expect(tail.at(-1)).toMatchObject({
      event: 'error',
      data: { error: 'No space left in the data folder', run_id: runId, attempt: 1, code: 'insufficient_storage' },
    });
    expect(disk.refused).toBe(2);

    // Its row still reads `running` (the write waits for space); cancel says so rather than blaming a replica.
    expect((await server.json('GET', `/api/runs/${runId}`)).body.data.status).toBe('running');
    const early = await server.json('POST', `/api/runs/${runId}/cancel`);
    expect(early.status).toBe(409);
    expect(early.body.error).toEqual({
      code: 'run_not_active',
      message: `Run ${runId} has ended (failed), but its status could not be stored yet; it is stored once storage takes the write.`,
      details: { run_id: runId, status: 'running', final_status: 'failed' },
      request_id: expect.any(String),
    });

    // Retried after 1 s, then 2 s, while the disk stays full; space returns: the next try stores it, with no restart.
    expect(await retries.fire()).toBe(1000);
    expect(await retries.fire()).toBe(2000);
    await waitFor(() => (disk.refused === 4 ? true : undefined));
    disk.full = false;
    expect(await retries.fire()).toBe(4000);
    const stored = await waitFor(async () => {
      const run = (await server.json('GET', `/api/runs/${runId}`)).body.data;
      return run.status === 'running' ? undefined : run;
    });
    expect(stored).toMatchObject({
      run_id: runId,
      status: 'failed',
      error: { code: 'insufficient_storage', message: 'No space left in the data folder' },
    });
    expect(stored.finished_at_ms).toBeGreaterThanOrEqual(stored.started_at_ms);
    const late = await server.json('POST', `/api/runs/${runId}/cancel`);
    expect(late.status).toBe(409);
    expect(late.body.error.message).toBe(`Run ${runId} is not active (status failed).`);
    expect(retries.armed.size).toBe(0);
  });

  it("stores a waiting final status as soon as a later run's row is written", async () => {
    const disk: DiskSwitch = { full: false, refused: 0 };
    const retries = manualTimers();
    await using fixture = await fullDiskFixture(disk, retries);
    const { server, model } = fixture;
    const sessionId = await fixture.newSession();
    model.enqueue({ kind: 'hang' });
    const stream = streamSse(await fixture.chat({ message: 'Wait', session_id: sessionId }));
    const head = await readStreamUntil(stream, (record) => record.event === 'run_start');
    const runId = head[0]!.data.run_id;
    await model.waitForRequests(1);
    disk.full = true;
    expect((await server.json('POST', `/api/runs/${runId}/cancel`)).status).toBe(200);
    await readStreamRest(stream);
    expect(disk.refused).toBe(1);
    disk.full = false;
    // The next turn's row is written: the cancelled run's status goes in after it (its retry timer never fires here).
    model.enqueue({ kind: 'text', text: 'Back.' });
    const next = streamSse(await fixture.chat({ message: 'Again', session_id: sessionId }));
    await readStreamRest(next);
    const run = await waitFor(async () => {
      const found = (await server.json('GET', `/api/runs/${runId}`)).body.data;
      return found.status === 'running' ? undefined : found;
    });
    expect(run).toMatchObject({ run_id: runId, status: 'cancelled', error: { code: 'cancelled' } });
    expect(retries.armed.size).toBe(0);
  });
});
