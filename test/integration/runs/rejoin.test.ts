// GET /api/runs/{run_id}/events: every event has an id; a client that dropped rejoins with Last-Event-ID and misses nothing.
import { describe, expect, it } from 'bun:test';
import { startChatFixture } from '../../support/chat-fixture';
import { readSse, streamSse, type SseRecord } from '../../support/sse-client';

const seqOf = (record: SseRecord) => Number(record.id!.split(':').at(-1));

/** Reads `count` events of `response`, then drops the connection. */
async function readThenDrop(response: Response, count: number): Promise<SseRecord[]> {
  const seen: SseRecord[] = [];
  if (count === 0) {
    await response.body?.cancel();
    return seen;
  }
  for await (const record of streamSse(response)) {
    seen.push(record);
    if (seen.length >= count) break;
  }
  return seen;
}

describe('GET /api/runs/{run_id}/events', () => {
  it('gives each of 100 clients that drop at a random point every event of a 500-event run exactly once, in order', async () => {
    // 100 clients on one run, each with up to two streams open (the server may not have seen its first one close
    // when its rejoin comes): above the default cap a run has on open rejoin streams.
    await using fixture = await startChatFixture({ env: { APP_MAX_REJOIN_STREAMS_PER_RUN: '200' } });
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'text', text: 'a'.repeat(494), chunkSize: 1, delayMs: 1 });
    const stream = streamSse(await fixture.chat({ message: 'Count', session_id: sessionId }));
    const runStart = (await stream.next()).value as SseRecord;
    expect(runStart.event).toBe('run_start');
    const runId = runStart.data.run_id;
    expect(runStart.id).toBe(`${runId}:1`);

    const attempt = async (index: number) => {
      const url = `/api/runs/${runId}/events`;
      const dropAt = Math.floor(Math.random() * 500);
      const before = await readThenDrop(await fixture.server.request(url), dropAt);
      const lastId = before.at(-1)?.id;
      // Half the clients say where they were with the header, half with ?after=.
      const rejoin =
        lastId === undefined
          ? await fixture.server.request(url)
          : index % 2
            ? await fixture.server.request(url, { headers: { 'last-event-id': lastId } })
            : await fixture.server.request(`${url}?after=${lastId.split(':').at(-1)}`);
      expect(rejoin.status).toBe(200);
      return [...before, ...(await readSse(rejoin))];
    };
    const results = await Promise.all(Array.from({ length: 100 }, (_, index) => attempt(index)));
    // The reference: the whole run, replayed once it has ended.
    for await (const _ of stream);
    const whole = await readSse(await fixture.server.request(`/api/runs/${runId}/events`));
    expect(whole).toHaveLength(500);
    expect(whole.map(seqOf)).toEqual(whole.map((_, index) => index + 1));
    expect(whole.at(-1)!.event === 'done' || whole.at(-1)!.event === 'title').toBe(true);
    for (const events of results) {
      expect(events.map((record) => record.id)).toEqual(whole.map((record) => record.id));
      expect(events.map((record) => record.raw)).toEqual(whole.map((record) => record.raw));
    }
  });

  it('says events_expired first when the buffer no longer holds the gap, then goes on from the oldest kept', async () => {
    await using fixture = await startChatFixture({ overrides: { runReplay: { bufferLimit: 20 } } });
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'text', text: 'b'.repeat(60), chunkSize: 1 });
    const events = await readSse(await fixture.chat({ message: 'Go', session_id: sessionId }));
    const runId = events[0]!.data.run_id;
    const last = seqOf(events.at(-1)!);
    const replay = await readSse(
      await fixture.server.request(`/api/runs/${runId}/events`, { headers: { 'last-event-id': `${runId}:3` } }),
    );
    expect(replay[0]).toMatchObject({ event: 'error', data: { code: 'events_expired', run_id: runId } });
    expect(replay[0]!.id).toBeUndefined();
    expect(replay.slice(1).map(seqOf)).toEqual(Array.from({ length: 20 }, (_, index) => last - 19 + index));
    // Nothing missed: no error, just the tail.
    const tail = await readSse(await fixture.server.request(`/api/runs/${runId}/events?after=${last - 2}`));
    expect(tail.map(seqOf)).toEqual([last - 1, last]);
    expect(await readSse(await fixture.server.request(`/api/runs/${runId}/events?after=${last}`))).toEqual([]);
  });

  it('answers a run whose events are gone with one events_expired event, and 4xx for bad ids', async () => {
    await using fixture = await startChatFixture({ overrides: { runReplay: { retentionMs: 0 } } });
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'text', text: 'Done.' });
    const events = await readSse(await fixture.chat({ message: 'Go', session_id: sessionId }));
    const runId = events[0]!.data.run_id;
    expect(events.every((record) => record.id?.startsWith(`${runId}:`))).toBe(true);
    const gone = await readSse(await fixture.server.request(`/api/runs/${runId}/events`));
    expect(gone).toEqual([
      expect.objectContaining({ event: 'error', data: expect.objectContaining({ code: 'events_expired' }) }),
    ]);

    expect((await fixture.server.json('GET', '/api/runs/unknown/events')).status).toBe(404);
    for (const header of ['other-run:3', `${runId}:x`, `${runId}:-1`, runId]) {
      const response = await fixture.server.json('GET', `/api/runs/${runId}/events`, undefined, {
        'last-event-id': header,
      });
      expect({ header, status: response.status, code: response.body.error?.code }).toEqual({
        header,
        status: 422,
        code: 'validation_error',
      });
    }
    expect((await fixture.server.json('GET', `/api/runs/${runId}/events?after=-1`)).status).toBe(422);
  });
});
