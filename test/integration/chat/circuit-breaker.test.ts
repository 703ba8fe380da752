import { describe, expect, it } from 'bun:test';
import { startRoutedChatFixture, type RoutedChatFixture } from '../../support/routed-chat-fixture';
import { readSse } from '../../support/sse-client';

/** Streamed turns to the primary only (titles are one-shot requests). */
const turnRequests = (fixture: RoutedChatFixture, which: 'primary' | 'backup') =>
  fixture[which].chatRequests().filter((request) => request.body.stream === true).length;

async function turn(fixture: RoutedChatFixture, session?: string) {
  const sessionId = session ?? (await fixture.newSession());
  const events = await readSse(await fixture.chat({ message: 'hello', session_id: sessionId }));
  return {
    fallbacks: events.filter((event) => event.event === 'model_fallback').map((event) => event.data),
    done: events.find((event) => event.event === 'done')?.data,
  };
}

const primaryStatus = async (fixture: RoutedChatFixture) => {
  const agents = (await fixture.server.json('GET', '/api/agents')).body.data as any[];
  return agents.find((agent) => agent.agent_id === 'default').llm_status.profiles[0];
};

describe('circuit breaker per profile', () => {
  it('opens after three failures, skips the primary without a request, and one probe after the cool-down closes it', async () => {
    await using fixture = await startRoutedChatFixture();
    fixture.primary.setFallback({ kind: 'error', status: 500 });
    fixture.backup.setFallback({ kind: 'text', text: 'From the backup.' });
    // One session: only its first turn asks for a title, a request of its own (which fails too).
    const sessionId = await fixture.newSession();
    for (let index = 0; index < 2; index++) {
      const { fallbacks, done } = await turn(fixture, sessionId);
      expect(fallbacks).toEqual([{ from: 'primary', to: 'backup', reason: 'server_error' }]);
      expect(done.content).toBe('From the backup.');
    }
    expect(turnRequests(fixture, 'primary')).toBe(2);
    expect(fixture.primary.chatRequests()).toHaveLength(3);
    const open = await primaryStatus(fixture);
    expect(open).toEqual({
      id: 'primary',
      model: 'primary-model',
      runnable: true,
      problem: null,
      state: 'open',
      last_error: { reason: 'server_error', message: expect.stringContaining('500'), at: expect.any(Number) },
      open_until: expect.any(Number),
    });
    const requestsBefore = fixture.primary.chatRequests().length;

    const skipped = await turn(fixture, sessionId);
    expect(skipped.fallbacks).toEqual([{ from: 'primary', to: 'backup', reason: 'circuit_open' }]);
    expect(skipped.done.content).toBe('From the backup.');
    expect(fixture.primary.chatRequests().length).toBe(requestsBefore);

    const ready = await fixture.server.json('GET', '/api/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.details.llm.profiles.map((profile: any) => [profile.id, profile.state])).toEqual([
      ['primary', 'open'],
      ['backup', 'closed'],
    ]);

    fixture.advance(60_000);
    fixture.primary.setFallback({ kind: 'text', text: 'Primary is back.' });
    const probed = await turn(fixture, sessionId);
    expect(probed.fallbacks).toEqual([]);
    expect(probed.done.content).toBe('Primary is back.');
    expect(await primaryStatus(fixture)).toEqual(expect.objectContaining({ state: 'closed', open_until: null }));
  });

  it('opens again for twice the cool-down when the probe fails', async () => {
    await using fixture = await startRoutedChatFixture({ config: { llm_breaker: { failure_threshold: 1 } } });
    fixture.primary.setFallback({ kind: 'error', status: 503 });
    const sessionId = await fixture.newSession();
    await turn(fixture, sessionId);
    const first = await primaryStatus(fixture);
    expect(first.state).toBe('open');
    fixture.advance(60_000);
    const probe = await turn(fixture, sessionId);
    expect(probe.fallbacks).toEqual([{ from: 'primary', to: 'backup', reason: 'server_error' }]);
    const second = await primaryStatus(fixture);
    expect(second.state).toBe('open');
    expect(second.open_until - second.last_error.at).toBeCloseTo(120, 0);
  });

  it('fails fast without a request when every profile of the route is paused', async () => {
    await using fixture = await startRoutedChatFixture({ config: { llm_breaker: { failure_threshold: 1 } } });
    fixture.primary.setFallback({ kind: 'error', status: 500 });
    fixture.backup.setFallback({ kind: 'error', status: 500 });
    await turn(fixture);
    const before = fixture.primary.chatRequests().length + fixture.backup.chatRequests().length;
    const sessionId = await fixture.newSession();
    const events = await readSse(await fixture.chat({ message: 'again', session_id: sessionId }));
    expect(events.filter((event) => event.event === 'error').map((event) => event.data.code)).toEqual([
      'llm_unavailable',
    ]);
    expect(fixture.primary.chatRequests().length + fixture.backup.chatRequests().length).toBe(before);
    // No attempt started, yet the turn has a run: the error names it, as its event ids and GET /api/runs do.
    const runs = (await fixture.server.json('GET', `/api/runs?session_id=${sessionId}`)).body.data.runs;
    expect(runs).toHaveLength(1);
    const error = events.find((event) => event.event === 'error')!;
    expect(error.data.run_id).toBe(runs[0].run_id);
    expect(error.id).toStartWith(`${runs[0].run_id}:`);
    expect((await fixture.server.json('GET', `/api/runs/${error.data.run_id}`)).body.data.error?.code).toBe(
      'llm_unavailable',
    );
  });
});
