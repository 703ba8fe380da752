// The behaviour every MessageStore adapter must show; each adapter's test runs this suite against it.
import { describe, expect, it } from 'bun:test';
import { isAppError } from '../shared/app-error';
import { disposable, type MakeSessionPorts } from './session-store.contract';

const START_MS = 1_800_000_000_000;

const codeOf = async (work: Promise<unknown>) =>
  work.then(
    () => 'ok',
    (error: unknown) => (isAppError(error) ? error.code : String(error)),
  );

export function describeMessageStoreContract(adapter: string, make: MakeSessionPorts): void {
  const fresh = () => {
    let now = START_MS;
    const ports = make({ nowMs: () => now });
    return disposable({ ...ports, advance: (ms: number) => void (now += ms) });
  };

  describe(`MessageStore contract (${adapter})`, () => {
    it('keeps messages in the order they were appended, with every field, stamped now', async () => {
      using storage = fresh();
      const { sessions, messages } = storage;
      await sessions.create('s', 's');
      await messages.append('s', [{ role: 'user', content: 'question' }]);
      storage.advance(1000);
      const toolCalls = [{ tool: 'read', input: { path: 'a.md' }, output: 'text' }];
      await messages.append('s', [
        { role: 'assistant', content: 'step', toolCalls, runId: 'run-1' },
        { role: 'assistant', content: 'cut', runId: 'run-1', status: 'failed' },
      ]);
      expect(await messages.list('s')).toEqual([
        { role: 'user', content: 'question', createdAt: START_MS / 1000 },
        { role: 'assistant', content: 'step', toolCalls, runId: 'run-1', createdAt: (START_MS + 1000) / 1000 },
        { role: 'assistant', content: 'cut', runId: 'run-1', status: 'failed', createdAt: (START_MS + 1000) / 1000 },
      ]);
      expect(await messages.list('other')).toEqual([]);
    });

    it('clears the live snapshot in the same write as the reply with endLive, and keeps it without', async () => {
      using storage = fresh();
      const { sessions, messages } = storage;
      await sessions.create('s', 's');
      const live = { runId: 'run-1', content: 'Hel', toolCalls: [], updatedAt: START_MS / 1000 };
      await sessions.setLiveResponse('s', live);
      await messages.append('s', [{ role: 'user', content: 'question' }]);
      expect((await sessions.find('s'))!.liveResponse).toEqual(live);
      await messages.append('s', [{ role: 'assistant', content: 'Hello', runId: 'run-1' }], { endLive: true });
      expect((await sessions.find('s'))!.liveResponse).toBeNull();
      expect((await messages.list('s')).map((message) => message.content)).toEqual(['question', 'Hello']);
    });

    it('refuses to append to a missing or archived session with 404, storing nothing', async () => {
      using storage = fresh();
      const { sessions, messages } = storage;
      await sessions.create('s', 's');
      await sessions.archive('s');
      expect(await codeOf(messages.append('s', [{ role: 'user', content: 'x' }]))).toBe('not_found');
      expect(await codeOf(messages.append('missing', [{ role: 'user', content: 'x' }]))).toBe('not_found');
      expect(await messages.list('s')).toEqual([]);
      expect(await messages.any()).toBe(false);
    });

    it('removes what came after a mark but queued messages, and only in that session', async () => {
      using storage = fresh();
      const { sessions, messages } = storage;
      await sessions.create('s', 's');
      await sessions.create('t', 't');
      expect(await messages.lastId('s')).toBe(0);
      await messages.append('s', [{ role: 'user', content: 'kept' }]);
      const mark = await messages.lastId('s');
      await messages.append('t', [{ role: 'user', content: 'other session' }]);
      await messages.append('s', [{ role: 'user', content: 'dropped' }]);
      // A message a client enqueued while the turn ran is not the turn's: it stays, to run.
      expect(await messages.enqueue('s', 'waiting to run', 32)).toHaveProperty('stored');
      await messages.append('s', [{ role: 'assistant', content: 'dropped too' }]);
      expect(await messages.lastId('s')).toBeGreaterThan(mark);
      await messages.deleteAfter('s', mark);
      expect((await messages.list('s')).map((message) => [message.content, message.status])).toEqual([
        ['kept', undefined],
        ['waiting to run', 'queued'],
      ]);
      expect((await messages.list('t')).map((message) => message.content)).toEqual(['other session']);
    });

    it('compresses the oldest messages into the archive and stores the summary, archives oldest first', async () => {
      using storage = fresh();
      const { sessions, messages } = storage;
      await sessions.create('s', 's');
      await messages.append(
        's',
        ['a', 'b', 'c', 'd', 'e'].map((content) => ({ role: 'user' as const, content })),
      );
      const first = await messages.compress('s', 2, 'summary one');
      expect(first.archived.map((message) => message.content)).toEqual(['a', 'b']);
      expect(first.remaining).toBe(3);
      storage.advance(1000);
      await messages.compress('s', 1, 'summary two');
      expect((await messages.list('s')).map((message) => message.content)).toEqual(['d', 'e']);
      expect((await sessions.find('s'))!.compressedContext).toBe('summary two');
      const archives = await messages.archives('s');
      expect(
        archives.map((archive) => [archive.compressedAt, archive.messages.map((message) => message.content)]),
      ).toEqual([
        [START_MS / 1000, ['a', 'b']],
        [(START_MS + 1000) / 1000, ['c']],
      ]);
      expect(await codeOf(messages.compress('missing', 1, 'x'))).toBe('not_found');
    });

    it('compresses around queued messages: they are neither archived nor counted as remaining', async () => {
      using storage = fresh();
      const { sessions, messages } = storage;
      await sessions.create('s', 's');
      await messages.append('s', [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b' },
      ]);
      await messages.enqueue('s', 'waiting', 5);
      await messages.append('s', [{ role: 'assistant', content: 'c' }]);
      const result = await messages.compress('s', 3, 'summary');
      expect(result.archived.map((message) => message.content)).toEqual(['a', 'b', 'c']);
      expect(result.remaining).toBe(0);
      expect((await messages.list('s')).map((message) => [message.content, message.status])).toEqual([
        ['waiting', 'queued'],
      ]);
    });

    it('says whether the agent has any message at all', async () => {
      using storage = fresh();
      const { sessions, messages } = storage;
      await sessions.create('s', 's');
      expect(await messages.any()).toBe(false);
      await messages.append('s', [{ role: 'user', content: 'hi' }]);
      expect(await messages.any()).toBe(true);
    });

    it('enqueues only below the limit, also when 50 enqueues of a session arrive at once', async () => {
      using storage = fresh();
      const { sessions, messages } = storage;
      await sessions.create('s', 's');
      await sessions.create('t', 't');
      await messages.append('s', [{ role: 'user', content: 'asked' }]);
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, (_, index) => messages.enqueue('s', `m${index}`, 5)),
      );
      const stored = outcomes.flatMap((outcome) => ('stored' in outcome ? [outcome.stored] : []));
      expect(stored).toHaveLength(5);
      expect(outcomes.filter((outcome) => 'full' in outcome)).toEqual(Array(45).fill({ full: 5 }));
      expect(await messages.queued('s')).toEqual(stored.toSorted((x, y) => x.id - y.id));
      // Other sessions and messages not queued do not count; taking one out makes room for one.
      expect('stored' in (await messages.enqueue('t', 'other', 5))).toBe(true);
      expect(await messages.removeQueued('s', stored[0]!.id)).toBe(true);
      expect('stored' in (await messages.enqueue('s', 'again', 5))).toBe(true);
      expect(await messages.enqueue('s', 'more', 5)).toEqual({ full: 5 });
      expect((await messages.list('s')).filter((message) => message.status === 'queued')).toHaveLength(5);
      await sessions.archive('s');
      expect(await codeOf(messages.enqueue('s', 'archived', 5))).toBe('not_found');
    });

    it('takes a queued message and stores its user message in one write, once; changes nothing for an archived session', async () => {
      using storage = fresh();
      const { sessions, messages } = storage;
      await sessions.create('s', 's');
      await messages.append('s', [{ role: 'user', content: 'first' }]);
      await messages.enqueue('s', 'next', 32);
      await messages.enqueue('s', 'later', 32);
      const [next, later] = await messages.queued('s');
      const rows = async () => (await messages.list('s')).map((message) => [message.content, message.status]);
      expect(await messages.takeQueued('s', next!.id, [{ role: 'user', content: 'next' }])).toBe(true);
      expect(await rows()).toEqual([
        ['first', undefined],
        ['later', 'queued'],
        ['next', undefined],
      ]);
      // Taken once: another replica's take of the same message stores nothing.
      expect(await messages.takeQueued('s', next!.id, [{ role: 'user', content: 'next' }])).toBe(false);
      expect(await codeOf(messages.takeQueued('t', later!.id, [{ role: 'user', content: 'later' }]))).toBe('not_found');
      expect(await rows()).toEqual([
        ['first', undefined],
        ['later', 'queued'],
        ['next', undefined],
      ]);
      await sessions.archive('s');
      expect(await codeOf(messages.takeQueued('s', later!.id, [{ role: 'user', content: 'later' }]))).toBe('not_found');
      expect(await rows()).toEqual([
        ['first', undefined],
        ['later', 'queued'],
        ['next', undefined],
      ]);
    });

    it('keeps queued messages in order, takes each out once, and names the active sessions holding some', async () => {
      using storage = fresh();
      const { sessions, messages } = storage;
      await sessions.create('a', 'a');
      await sessions.create('b', 'b');
      await sessions.create('c', 'c');
      await messages.append('b', [{ role: 'user', content: 'b1', status: 'queued' }]);
      await messages.append('a', [
        { role: 'user', content: 'asked' },
        { role: 'user', content: 'a1', status: 'queued' },
        { role: 'user', content: 'a2', status: 'queued' },
      ]);
      expect(await messages.enqueue('c', 'c1', 1)).toEqual({ stored: { id: expect.any(Number), content: 'c1' } });
      expect(await codeOf(messages.enqueue('missing', 'x', 1))).toBe('not_found');
      await sessions.archive('c');
      const queued = await messages.queued('a');
      expect(queued.map((entry) => entry.content)).toEqual(['a1', 'a2']);
      expect(await messages.sessionsWithQueued()).toEqual(['b', 'a']);
      expect(await messages.removeQueued('b', queued[0]!.id)).toBe(false);
      expect(await messages.removeQueued('a', queued[0]!.id)).toBe(true);
      expect(await messages.removeQueued('a', queued[0]!.id)).toBe(false);
      expect((await messages.list('a')).map((message) => [message.content, message.status])).toEqual([
        ['asked', undefined],
        ['a2', 'queued'],
      ]);
      expect(await messages.queued('none')).toEqual([]);
    });
  });
}
