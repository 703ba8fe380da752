// GET /api/runs/{run_id}/events: open rejoin streams are capped per run and per server; a stream that ends frees its slot.
import { describe, expect, it } from 'bun:test';
import { connect } from 'node:net';
import { startChatFixture, type ChatFixture } from '../../support/chat-fixture';
import { waitFor } from '../../support/scheduler-fixture';
import { readSse, streamSse } from '../../support/sse-client';

const LIMITS = { APP_MAX_REJOIN_STREAMS_PER_RUN: '3', APP_MAX_REJOIN_STREAMS: '5' };

/** Starts a streamed turn whose model answers only once `until` settles; gives its run id and its chat stream. */
async function heldRun(fixture: ChatFixture, until: Promise<unknown>) {
  fixture.model.enqueue({ kind: 'held', until, step: { kind: 'text', text: 'Done.' } });
  const chat = await fixture.chat({ message: 'Wait', session_id: await fixture.newSession() });
  expect(chat.status).toBe(200);
  const events = streamSse(chat);
  const runId: string = (await events.next()).value!.data.run_id;
  return { runId, events };
}

/** Opens a rejoin stream, retrying while it is refused for the cap (a slot freed by a client that left shows later). */
async function rejoinOnceFree(fixture: ChatFixture, runId: string): Promise<Response> {
  return waitFor(async () => {
    const response = await fixture.server.request(`/api/runs/${runId}/events`);
    if (response.status === 200) return response;
    await response.body?.cancel();
    return undefined;
  });
}

/** The answer to one more rejoin: a stream it was given is closed at once (its body would not end while the run waits). */
async function tryRejoin(fixture: ChatFixture, runId: string) {
  const response = await fixture.server.request(`/api/runs/${runId}/events`);
  if (response.status === 200) await response.body?.cancel();
  const body = response.status === 200 ? null : ((await response.json()) as any);
  return { status: response.status, headers: response.headers, body };
}

/** A client that asks for the stream over a socket, reads nothing past the first bytes, and goes away; gives the status. */
async function rejoinAndVanish(url: string, runId: string): Promise<number> {
  const target = new URL(url);
  const socket = connect(Number(target.port), target.hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(`GET /api/runs/${runId}/events HTTP/1.1\r\nHost: ${target.host}\r\n\r\n`);
  // The headers have come (a stream given is held by the server now); the client reads no further.
  const head = await new Promise<Buffer>((resolve) => socket.once('data', resolve));
  socket.pause();
  socket.destroy();
  return Number(head.toString('latin1').split(' ')[1]);
}

describe('GET /api/runs/{run_id}/events (open stream caps)', () => {
  it('answers 429 too_many_streams past the per-run cap, and a closed stream frees its slot', async () => {
    await using fixture = await startChatFixture({ env: LIMITS });
    const { promise: release, resolve } = Promise.withResolvers<void>();
    const run = await heldRun(fixture, release);
    const url = `/api/runs/${run.runId}/events`;
    const open = await Promise.all([1, 2, 3].map(() => fixture.server.request(url)));
    expect(open.map((response) => response.status)).toEqual([200, 200, 200]);

    const refused = await tryRejoin(fixture, run.runId);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(refused.body.error).toEqual({
      code: 'too_many_streams',
      message: `Too many open event streams for run ${run.runId} (limit 3); close one or try again later.`,
      details: { run_id: run.runId, scope: 'run', limit: 3, retry_after_seconds: 5 },
      request_id: expect.any(String),
    });

    // A client that closes its stream, and one that goes away without reading, each give a slot back.
    await open[0]!.body!.cancel();
    const again = await rejoinOnceFree(fixture, run.runId);
    await open[1]!.body!.cancel();
    await waitFor(async () => ((await rejoinAndVanish(fixture.server.url, run.runId)) === 200 ? true : undefined));
    const third = await rejoinOnceFree(fixture, run.runId);
    expect((await tryRejoin(fixture, run.runId)).status).toBe(429);

    // The run ends: its streams end, and so do their slots; a replay of the ended run is served.
    resolve();
    for await (const _ of run.events);
    for (const response of [open[2]!, again, third])
      expect((await readSse(response)).at(-1)?.event).toMatch(/done|title/);
    const replays = await Promise.all([1, 2, 3].map(() => fixture.server.request(url)));
    expect(replays.map((response) => response.status)).toEqual([200, 200, 200]);
    for (const response of replays) await response.body?.cancel();
  });

  it('answers 429 past the whole-server cap, while POST /api/chat streams are not counted', async () => {
    await using fixture = await startChatFixture({ env: LIMITS });
    const { promise: release, resolve } = Promise.withResolvers<void>();
    const first = await heldRun(fixture, release);
    const second = await heldRun(fixture, release);
    const open = await Promise.all(
      [first, first, first, second, second].map((run) => fixture.server.request(`/api/runs/${run.runId}/events`)),
    );
    expect(open.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);

    const refused = await tryRejoin(fixture, second.runId);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({
      code: 'too_many_streams',
      details: { scope: 'server', limit: 5, retry_after_seconds: 5 },
    });

    // A new turn still streams: the chat's own stream holds no rejoin slot.
    const third = await heldRun(fixture, release);
    expect(third.runId).toEqual(expect.any(String));

    await open[3]!.body!.cancel();
    const freed = await rejoinOnceFree(fixture, third.runId);
    resolve();
    for (const run of [first, second, third]) for await (const _ of run.events);
    for (const response of [...open.slice(0, 3), open[4]!, freed]) await readSse(response);
  });
});
