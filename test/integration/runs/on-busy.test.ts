// POST /api/chat `on_busy`: a second message on a busy session is rejected, queued behind the live run, or interrupts it.
import { describe, expect, it } from 'bun:test';
import { splitChatAnswers, startChatFixture, type ChatFixture } from '../../support/chat-fixture';
import { waitFor } from '../../support/scheduler-fixture';
import { readSse, readStreamRest, readStreamUntil as untilEvent, streamSse } from '../../support/sse-client';
import { makeTempDir } from '../../support/temp-dir';

const lastUserText = (request: any): string =>
  request.messages.filter((message: any) => message.role === 'user').at(-1).content;
const echo = (request: any) => ({ kind: 'text' as const, text: `Answer to ${lastUserText(request)}` });

const history = async (fixture: ChatFixture, sessionId: string) =>
  (await fixture.server.json('GET', `/api/sessions/${sessionId}/history`)).body.data.messages as any[];

/**
 * A session whose run hangs in the model
 * (`release` cancels it, reading its answer out); later turns get the echo answer.
 */
const busySession = async (fixture: ChatFixture) => {
  const sessionId = await fixture.newSession();
  fixture.model.enqueue({ kind: 'hang' });
  const hanging = fixture.chat({ message: 'hang', session_id: sessionId });
  await fixture.model.waitForRequests(1);
  fixture.model.setFallback(echo);
  const release = async () => {
    const run = (await fixture.server.json('GET', '/api/runs?status=running')).body.data.runs[0];
    await fixture.server.json('POST', `/api/runs/${run.run_id}/cancel`);
    await (await hanging).text();
  };
  return { sessionId, release };
};

describe('POST /api/chat on_busy', () => {
  it('enqueue: three messages arriving together wait as queued, then run one by one, each stream getting its own turn', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'text', text: 'first answer '.repeat(30), chunkSize: 4, delayMs: 5 });
    fixture.model.setFallback(echo);
    const first = streamSse(await fixture.chat({ message: 'first', session_id: sessionId }));
    await untilEvent(first, 'token');
    const responses = await Promise.all(
      ['two', 'three', 'four'].map((message) => fixture.chat({ message, session_id: sessionId, on_busy: 'enqueue' })),
    );
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    const queued = (await history(fixture, sessionId)).filter((message) => message.status === 'queued');
    expect(queued.map((message) => message.content).sort()).toEqual(['four', 'three', 'two']);
    const order = queued.map((message) => message.content as string);

    const streams = await Promise.all(responses.map((response) => readSse(response)));
    for (const [index, events] of streams.entries()) {
      const message = ['two', 'three', 'four'][index]!;
      expect(events[0]!.event).toBe('run_start');
      expect(events.find((event) => event.event === 'done')!.data.content).toBe(`Answer to ${message}`);
      expect(events.some((event) => event.event === 'error')).toBe(false);
    }
    for await (const _ of first);
    const messages = await history(fixture, sessionId);
    expect(messages.map((message) => [message.role, message.content, message.status])).toEqual([
      ['user', 'first', undefined],
      ['assistant', 'first answer '.repeat(30).trim(), undefined],
      ...order.flatMap((message) => [
        ['user', message, undefined],
        ['assistant', `Answer to ${message}`, undefined],
      ]),
    ]);
    // Each queued turn saw the turns before it, and not the ones still waiting.
    const prompts = fixture.model
      .chatRequests()
      .slice(1)
      .filter((request) => request.body.stream);
    expect(prompts.map((request) => lastUserText(request.body))).toEqual(order);
    expect(
      prompts
        .at(-1)!
        .body.messages.filter((m: any) => m.role === 'user')
        .map((m: any) => m.content),
    ).toEqual(['first', ...order]);
  });

  it('enqueue refuses a 33rd queued message of a session with 409 queue_full, storing nothing', async () => {
    await using fixture = await startChatFixture();
    const { sessionId, release } = await busySession(fixture);
    const queued = [];
    for (let index = 0; index < 32; index++)
      queued.push(await fixture.chat({ message: `queued ${index}`, session_id: sessionId, on_busy: 'enqueue' }));
    const full = await fixture.server.json('POST', '/api/chat', {
      message: 'one too many',
      session_id: sessionId,
      on_busy: 'enqueue',
    });
    expect(full.status).toBe(409);
    expect(full.body.error.code).toBe('queue_full');
    expect(full.body.error.details).toEqual({ session_id: sessionId, queued: 32, limit: 32 });
    const waiting = (await history(fixture, sessionId)).filter((message) => message.status === 'queued');
    expect(waiting.map((message) => message.content)).toEqual(queued.map((_, index) => `queued ${index}`));
    await release();
    const answers = await Promise.all(queued.map(async (response) => readSse(response)));
    expect(answers.map((events) => events.find((event) => event.event === 'done')?.data.content)).toEqual(
      queued.map((_, index) => `Answer to queued ${index}`),
    );
  }, 60_000);

  it('enqueue holds the cap of 32 when 50 messages arrive at once: 32 queued, 18 refused with 409 queue_full', async () => {
    await using fixture = await startChatFixture();
    const { sessionId, release } = await busySession(fixture);
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        fixture.chat({ message: `burst ${index}`, session_id: sessionId, on_busy: 'enqueue' }),
      ),
    );
    const { accepted, errors } = await splitChatAnswers(responses);
    expect([accepted.length, errors.length]).toEqual([32, 18]);
    expect(errors.map((error) => [error.code, error.details.queued, error.details.limit])).toEqual(
      Array(18).fill(['queue_full', 32, 32]),
    );
    const waiting = (await history(fixture, sessionId)).filter((message) => message.status === 'queued');
    expect(waiting).toHaveLength(32);
    await release();
    // Every accepted message runs; no refused one was stored.
    const answers = await Promise.all(accepted.map(async (response) => readSse(response)));
    const done = answers.map((events) => events.find((event) => event.event === 'done')?.data.content as string);
    const asked = (await history(fixture, sessionId)).filter((message) => message.role === 'user');
    expect(
      asked
        .map((message) => message.content)
        .slice(1)
        .sort(),
    ).toEqual(done.map((content) => content.replace('Answer to ', '')).sort());
  }, 60_000);

  it('enqueue runs at once on a free session; reject (the default) still answers 409 session_busy', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    fixture.model.setFallback(echo);
    const events = await readSse(await fixture.chat({ message: 'hello', session_id: sessionId, on_busy: 'enqueue' }));
    expect(events.find((event) => event.event === 'done')!.data.content).toBe('Answer to hello');
    fixture.model.enqueue({ kind: 'hang' });
    const hanging = fixture.chat({ message: 'hang', session_id: sessionId });
    await fixture.model.waitForRequests(2);
    const busy = await fixture.server.json('POST', '/api/chat', { message: 'other', session_id: sessionId });
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('session_busy');
    const bad = await fixture.server.json('POST', '/api/chat', {
      message: 'x',
      session_id: sessionId,
      on_busy: 'later',
    });
    expect(bad.status).toBe(422);
    const run = (await fixture.server.json('GET', '/api/runs?status=running')).body.data.runs[0];
    await fixture.server.json('POST', `/api/runs/${run.run_id}/cancel`);
    await (await hanging).text();
  });

  it('enqueue without streaming answers once the queued turn has run', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'text', text: 'slow '.repeat(100), chunkSize: 5, delayMs: 5 });
    fixture.model.setFallback(echo);
    const first = streamSse(await fixture.chat({ message: 'first', session_id: sessionId }));
    await untilEvent(first, 'token');
    const queued = await fixture.server.json('POST', '/api/chat', {
      message: 'later',
      session_id: sessionId,
      stream: false,
      on_busy: 'enqueue',
    });
    expect(queued.status).toBe(200);
    expect(queued.body.data.content).toBe('Answer to later');
    expect((await history(fixture, sessionId)).map((message) => message.content).slice(-2)).toEqual([
      'later',
      'Answer to later',
    ]);
  });

  it('interrupt: cancels the live run (its stream ends cancelled) and runs the new message', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'text', text: 'slow '.repeat(200), chunkSize: 5, delayMs: 10 });
    fixture.model.setFallback(echo);
    const first = streamSse(await fixture.chat({ message: 'first', session_id: sessionId }));
    await untilEvent(first, 'token');
    const second = await readSse(
      await fixture.chat({ message: 'second', session_id: sessionId, on_busy: 'interrupt' }),
    );
    expect(second.find((event) => event.event === 'done')!.data.content).toBe('Answer to second');
    const tail = await readStreamRest(first);
    expect(tail.at(-1)).toMatchObject({ event: 'error', data: { code: 'cancelled' } });
    const messages = await history(fixture, sessionId);
    expect(messages.map((message) => [message.role, message.status])).toEqual([
      ['user', undefined],
      ['assistant', 'cancelled'],
      ['user', undefined],
      ['assistant', undefined],
    ]);
  });

  it('interrupt: waits for a run already being cancelled (stop, then send) instead of answering 409', async () => {
    await using fixture = await startChatFixture();
    fixture.model.setFallback(echo);
    // Sent together, the cancel usually reaches the run first; five rounds, so the race is met.
    for (let round = 0; round < 5; round++) {
      const sessionId = await fixture.newSession();
      fixture.model.enqueue({ kind: 'text', text: 'slow '.repeat(200), chunkSize: 5, delayMs: 4 });
      const first = streamSse(await fixture.chat({ message: 'first', session_id: sessionId }));
      // Once a token is in, the run has taken the slow reply from the model (the interrupt gets the echo).
      const seen = await untilEvent(first, 'token');
      const runId = seen.find((event) => event.event === 'run_start')!.data.run_id;
      const [cancel, interrupt] = await Promise.all([
        fixture.server.json('POST', `/api/runs/${runId}/cancel`),
        fixture.chat({ message: `second ${round}`, session_id: sessionId, on_busy: 'interrupt' }),
      ]);
      expect([cancel.status, interrupt.status]).toEqual([200, 200]);
      const second = await readSse(interrupt);
      expect(second.find((event) => event.event === 'done')!.data.content).toBe(`Answer to second ${round}`);
      await readStreamRest(first);
    }
  });

  it('keeps queued messages across a restart and runs them after it', async () => {
    using data = makeTempDir('moc-queue-');
    let sessionId: string;
    {
      await using fixture = await startChatFixture({ dataDir: data.path });
      sessionId = await fixture.newSession();
      fixture.model.enqueue({ kind: 'hang' });
      const hanging = fixture.chat({ message: 'first', session_id: sessionId });
      await fixture.model.waitForRequests(1);
      const queued = await fixture.chat({ message: 'after restart', session_id: sessionId, on_busy: 'enqueue' });
      await queued.body?.cancel();
      await waitFor(async () =>
        (await history(fixture, sessionId)).some((message) => message.status === 'queued') ? true : undefined,
      );
      void hanging.then((response) => response.body?.cancel()).catch(() => undefined);
    }
    await using restarted = await startChatFixture({ dataDir: data.path });
    // The queued message runs on its own after the restart (the model answers with its default reply).
    const messages = await waitFor(async () => {
      const all = await history(restarted, sessionId);
      // A live run shows its partial reply as `streaming: true`: wait for the stored one.
      const last = all.at(-1);
      return last?.role === 'assistant' && !last.streaming ? all : undefined;
    });
    expect(messages.map((message) => [message.role, message.content, message.status])).toEqual([
      ['user', 'first', undefined],
      ['user', 'after restart', undefined],
      ['assistant', 'Hello from the fake model.', undefined],
    ]);
    expect(lastUserText(restarted.model.chatRequests()[0]!.body)).toBe('after restart');
    const runs = (await restarted.server.json('GET', '/api/runs')).body.data.runs;
    expect(runs.map((run: any) => run.status)).toEqual(['completed', 'interrupted']);
  });
});
