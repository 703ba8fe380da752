// The breaker of a profile under many turns at once: it opens once, lets one probe through, and no turn is stuck.
import { describe, expect, it } from 'bun:test';
import { startRoutedChatFixture, type RoutedChatFixture } from '../../support/routed-chat-fixture';
import { readSse, readStreamRest, readStreamUntil, streamSse } from '../../support/sse-client';

const streamedRequests = (fixture: RoutedChatFixture) =>
  fixture.primary.chatRequests().filter((request) => request.body.stream === true).length;

const primaryStatus = async (fixture: RoutedChatFixture) => {
  const agents = (await fixture.server.json('GET', '/api/agents')).body.data as any[];
  return agents.find((agent) => agent.agent_id === 'default').llm_status.profiles[0];
};

/** `count` first turns at once, each in its own session; `settled` resolves once `awaited` of them have ended. */
async function turnsAtOnce(fixture: RoutedChatFixture, count: number, awaited = count) {
  const sessions = await Promise.all(Array.from({ length: count }, () => fixture.newSession()));
  let ended = 0;
  const settled = Promise.withResolvers<void>();
  const turns = sessions.map(async (sessionId) => {
    const events = await readSse(await fixture.chat({ message: 'hello', session_id: sessionId }));
    if (++ended === awaited) settled.resolve();
    const of = (name: string) => events.filter((event) => event.event === name).map((event) => event.data);
    return { fallbacks: of('model_fallback'), done: of('done')[0], errors: of('error') };
  });
  return { all: Promise.all(turns), settled: settled.promise };
}

describe('circuit breaker under concurrent turns', () => {
  it('opens once for 20 failing turns, lets one probe through after the cool-down, and closes on its answer', async () => {
    // The probe is held while 19 turns go to the backup: longer than the fixture's 1 s timeout on 2 busy cores.
    await using fixture = await startRoutedChatFixture({ profileExtras: { primary: { timeout_seconds: 30 } } });
    const failing = Promise.withResolvers<void>();
    fixture.primary.setFallback({ kind: 'held', until: failing.promise, step: { kind: 'error', status: 500 } });
    fixture.backup.setFallback({ kind: 'text', text: 'From the backup.' });
    const first = await turnsAtOnce(fixture, 20);
    await fixture.primary.waitForRequests(20);
    failing.resolve();
    const failed = await first.all;
    expect(failed.map((turn) => [turn.fallbacks, turn.done?.content, turn.errors])).toEqual(
      Array.from({ length: 20 }, () => [
        [{ from: 'primary', to: 'backup', reason: 'server_error' }],
        'From the backup.',
        [],
      ]),
    );
    const open = await primaryStatus(fixture);
    // Opened once, at the third failure: the later ones did not push the cool-down past 60 s.
    expect(open.state).toBe('open');
    expect(open.open_until * 1000 - Date.now()).toBeLessThanOrEqual(60_000);

    fixture.advance(60_000);
    const recovered = Promise.withResolvers<void>();
    fixture.primary.setFallback({ kind: 'held', until: recovered.promise, step: { kind: 'text', text: 'Back.' } });
    const before = streamedRequests(fixture);
    const second = await turnsAtOnce(fixture, 20, 19);
    await second.settled;
    expect(streamedRequests(fixture)).toBe(before + 1);
    recovered.resolve();
    const probed = await second.all;
    expect(probed.filter((turn) => turn.done?.content === 'Back.').map((turn) => turn.fallbacks)).toEqual([[]]);
    expect(probed.filter((turn) => turn.done?.content === 'From the backup.').map((turn) => turn.fallbacks)).toEqual(
      Array.from({ length: 19 }, () => [{ from: 'primary', to: 'backup', reason: 'circuit_open' }]),
    );
    expect(await primaryStatus(fixture)).toEqual(expect.objectContaining({ state: 'closed', open_until: null }));
    const after = await turnsAtOnce(fixture, 3);
    expect((await after.all).map((turn) => [turn.fallbacks, turn.done?.content])).toEqual(
      Array.from({ length: 3 }, () => [[], 'Back.']),
    );
  }, 30_000);

  it('gives the probe back when its turn is cancelled: the next turn probes the primary again', async () => {
    await using fixture = await startRoutedChatFixture({
      config: { llm_breaker: { failure_threshold: 1 } },
      profileExtras: { primary: { timeout_seconds: 30 } },
    });
    fixture.primary.enqueue({ kind: 'error', status: 500 });
    fixture.backup.setFallback({ kind: 'text', text: 'From the backup.' });
    const sessionId = await fixture.newSession();
    await readSse(await fixture.chat({ message: 'hello', session_id: sessionId }));
    expect((await primaryStatus(fixture)).state).toBe('open');

    fixture.advance(60_000);
    fixture.primary.enqueue({ kind: 'hang' });
    const before = fixture.primary.chatRequests().length;
    const stream = streamSse(await fixture.chat({ message: 'again', session_id: sessionId }));
    const [start] = await readStreamUntil(stream, 'run_start');
    // The probe is out (the hang step taken): cancelled before, its request would never reach the primary and
    // the next turn would take the hang instead.
    await fixture.primary.waitForRequests(before + 1);
    await fixture.server.json('POST', `/api/runs/${start!.data.run_id}/cancel`);
    const rest = await readStreamRest(stream);
    expect(rest.filter((event) => event.event === 'error').map((event) => event.data.code)).toEqual(['cancelled']);

    fixture.primary.setFallback({ kind: 'text', text: 'Back.' });
    const events = await readSse(await fixture.chat({ message: 'third', session_id: sessionId }));
    expect(events.filter((event) => event.event === 'model_fallback')).toEqual([]);
    expect(events.find((event) => event.event === 'done')?.data.content).toBe('Back.');
    expect((await primaryStatus(fixture)).state).toBe('closed');
  });
});
