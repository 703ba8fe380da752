// A foreign page and the rejoin streams' caps: guessing run ids takes no slot for longer than the lookup, so a page
// cannot fill the server's streams, and it is never let read a run's events.
import { describe, expect, it } from 'bun:test';
import { startChatFixture } from '../../support/chat-fixture';
import { waitFor } from '../../support/scheduler-fixture';
import { readStreamUntil, streamSse } from '../../support/sse-client';

/** What an EventSource opened by a page elsewhere sends: its origin, no token, no preflight. */
const FROM_A_PAGE = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' };

describe('rejoin streams asked for by a foreign page', () => {
  it('cannot fill the server cap with guessed run ids, nor read a run they hit', async () => {
    const { promise: release, resolve } = Promise.withResolvers<void>();
    await using fixture = await startChatFixture({ env: { APP_MAX_REJOIN_STREAMS: '2' } });
    fixture.model.enqueue({ kind: 'held', until: release, step: { kind: 'text', text: 'Done.' } });
    const chat = await fixture.chat({ message: 'Wait', session_id: await fixture.newSession() });
    const events = streamSse(chat);
    const runId: string = (await events.next()).value!.data.run_id;

    // Many more guesses than the server has slots, all at once.
    const guesses = await Promise.all(
      Array.from({ length: 40 }, () =>
        fixture.server.request(`/api/runs/${crypto.randomUUID()}/events`, { headers: FROM_A_PAGE }),
      ),
    );
    expect(new Set(guesses.map((response) => response.status))).toEqual(new Set([404]));
    await Promise.all(guesses.map((response) => response.text()));

    // The page hitting the run: the stream is served (reads need no preflight) but CORS grants the page nothing.
    const foreign = await fixture.server.request(`/api/runs/${runId}/events`, { headers: FROM_A_PAGE });
    expect(foreign.status).toBe(200);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    await foreign.body?.cancel();

    // Both of the server's two slots are there for the user.
    // (The slot of the page's stream comes back once the server has seen it go: asked for until given.)
    const own: Response[] = [];
    while (own.length < 2)
      own.push(
        await waitFor(async () => {
          const response = await fixture.server.request(`/api/runs/${runId}/events`);
          if (response.status === 200) return response;
          expect(response.status).toBe(429);
          await response.body?.cancel();
          return undefined;
        }),
      );
    const [first] = own.map((response) => streamSse(response));
    resolve();
    expect((await readStreamUntil(first!, 'done')).at(-1)!.event).toBe('done');
    await Promise.all(own.map((response) => response.body?.cancel().catch(() => undefined)));
    await events.return(undefined);
  });
});
