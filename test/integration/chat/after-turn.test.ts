// What a finished turn leaves behind (its usage row, its title) waits for turns still on their way to a first token.
import { describe, expect, it } from 'bun:test';
import { heapStats } from 'bun:jsc';
import { createTurnPriority } from '../../../src/chat';
import { startChatFixture } from '../../support/chat-fixture';
import { parseSse, readSse } from '../../support/sse-client';

/** Reads an SSE body to its end, noting `<label>:<event>` in `order` as each event arrives. */
async function follow(response: Response, label: string, order: string[]): Promise<string[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const names: string[] = [];
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    const end = buffer.lastIndexOf('\r\n\r\n');
    if (end < 0) continue;
    for (const record of parseSse(buffer.slice(0, end))) {
      names.push(record.event);
      order.push(`${label}:${record.event}`);
    }
    buffer = buffer.slice(end + 4);
  }
  return names;
}

describe('work a finished turn leaves behind', () => {
  it('a first turn is titled only once a turn still waiting for its model has been heard from; the stream ends with all of it stored', async () => {
    // A longest wait beyond the test, so the order below is the priority's and not its time limit's.
    await using fixture = await startChatFixture({ overrides: { turnPriority: createTurnPriority(60_000) } });
    await fixture.server.json('PUT', '/api/config/runtime', {
      config: { llm_runtime: { timeout_seconds: 5 }, agent_runtime: { max_retries: 0 } },
    });
    const waitingSession = await fixture.newSession();
    const quickSession = await fixture.newSession();
    const order: string[] = [];

    fixture.model.enqueue({ kind: 'hang' });
    const waiting = follow(await fixture.chat({ message: 'slow', session_id: waitingSession }), 'waiting', order);
    await fixture.model.waitForRequests(1);
    fixture.model.enqueue({ kind: 'text', text: 'Quick answer.' }, { kind: 'text', text: 'Quick Title' });
    const quick = await follow(await fixture.chat({ message: 'quick', session_id: quickSession }), 'quick', order);

    // The waiting turn ran into its timeout (an error is what it was heard from by); only then the title came.
    expect(await waiting).toContain('error');
    expect(quick.slice(-2)).toEqual(['done', 'title']);
    const ends = order.filter((entry) => /:(done|error|title)$/.test(entry));
    expect(ends).toEqual(['quick:done', 'waiting:error', 'quick:title']);
    // Behaviour otherwise unchanged: when the stream has ended, the title and the turn's usage row are stored.
    const sessions = (await fixture.server.json('GET', '/api/sessions')).body.data as any[];
    expect(sessions.find((session) => session.session_id === quickSession)?.title).toBe('Quick Title');
    const records = (await fixture.server.json('GET', `/api/usage/records?session_id=${quickSession}`)).body.data
      .records as any[];
    expect(records.map((record) => record.trigger_type).sort()).toEqual(['chat', 'title']);
  }, 20_000);

  // A turn's signal follows its agent's deletion signal, which lives as long as the agent. Combined through
  // AbortSignal.any, Bun kept three signals and a controller of every turn for good.
  it('leaves no abort signal behind but those of its finished run, kept for rejoining', async () => {
    await using fixture = await startChatFixture();
    const turns = async (count: number) => {
      for (let turn = 0; turn < count; turn++) {
        const sessionId = await fixture.newSession();
        await readSse(await fixture.chat({ message: `turn ${turn}`, session_id: sessionId }));
      }
      Bun.gc(true);
      return heapStats().objectTypeCounts.AbortSignal ?? 0;
    };
    const before = await turns(5);
    const after = await turns(60);
    // While its finished run is kept for rejoining (up to 256 of them), a turn leaves one or two signals (1.6–1.8 a
    // turn measured: the run's cancel switch, a request's own); the leak kept three more of every turn (4.1).
    expect(after - before).toBeLessThanOrEqual(60 * 2.5);
  });
});
