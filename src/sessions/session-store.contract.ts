// The behaviour every SessionStore adapter must show; each adapter's test runs this suite against it.
import { describe, expect, it } from 'bun:test';
import type { Clock } from '../shared/clock';
import type { SessionPorts } from './session.port';
import type { SessionScope } from './session-types';

/** Fresh ports of one empty agent storage, reading time from `clock`. */
export type MakeSessionPorts = (clock: Clock) => SessionPorts & { close(): void };

const START_MS = 1_800_000_000_000;

export function describeSessionStoreContract(adapter: string, make: MakeSessionPorts): void {
  const fresh = () => {
    let now = START_MS;
    const ports = make({ nowMs: () => now });
    return { ...ports, advance: (ms: number) => void (now += ms) };
  };

  describe(`SessionStore contract (${adapter})`, () => {
    it('lists newest first in every scope, also when sessions share a timestamp', async () => {
      using storage = disposable(fresh());
      const { sessions } = storage;
      for (const [index, title] of ['first', 'second', 'third', 'fourth'].entries())
        await sessions.create(`s${index}`, title);
      await sessions.archive('s1');
      await sessions.archive('s3');
      const titles = async (scope: SessionScope) => (await sessions.list(scope)).map((meta) => meta.title);
      expect(await titles('active')).toEqual(['third', 'first']);
      expect(await titles('archived')).toEqual(['fourth', 'second']);
      expect(await titles('all')).toEqual(['third', 'first', 'fourth', 'second']);
    });

    it('orders by the last change: a session that gets a message moves to the front', async () => {
      using storage = disposable(fresh());
      const { sessions, messages } = storage;
      await sessions.create('old', 'old');
      storage.advance(1000);
      await sessions.create('new', 'new');
      storage.advance(1000);
      await messages.append('old', [{ role: 'user', content: 'hi' }]);
      expect((await sessions.list('active')).map((meta) => meta.sessionId)).toEqual(['old', 'new']);
      expect((await sessions.list('active'))[0]!.updatedAt).toBe((START_MS + 2000) / 1000);
    });

    it('keeps cron and heartbeat sessions out of lists unless asked, in every scope', async () => {
      using storage = disposable(fresh());
      const { sessions } = storage;
      await sessions.create('mine', 'mine');
      await sessions.create('__cron__:job-1', 'Nightly job');
      await sessions.create('__heartbeat__', 'Heartbeat');
      await sessions.create('_single', 'underscore_title');
      await sessions.archive('__cron__:job-1');
      const ids = async (scope: SessionScope, includeInternal?: boolean) =>
        (await sessions.list(scope, { includeInternal })).map((meta) => meta.title).sort();
      expect(await ids('active')).toEqual(['mine', 'underscore_title']);
      expect(await ids('archived')).toEqual([]);
      expect(await ids('all')).toEqual(['mine', 'underscore_title']);
      expect(await ids('active', true)).toEqual(['Heartbeat', 'mine', 'underscore_title']);
      expect(await ids('archived', true)).toEqual(['Nightly job']);
    });

    it('finds a session with its summary and live snapshot, and answers null for an unknown id', async () => {
      using storage = disposable(fresh());
      const { sessions } = storage;
      const created = await sessions.create('s', 'Title');
      expect(created).toEqual({
        sessionId: 's',
        title: 'Title',
        createdAt: START_MS / 1000,
        updatedAt: START_MS / 1000,
        archived: false,
      });
      expect(await sessions.find('s')).toEqual({
        ...created,
        archivedAt: null,
        compressedContext: '',
        liveResponse: null,
      });
      expect(await sessions.find('nope')).toBeNull();
      const live = {
        runId: 'r',
        content: 'partial',
        toolCalls: [{ tool: 'read', input: { path: 'a' } }],
        updatedAt: 5,
      };
      await sessions.setLiveResponse('s', live);
      expect((await sessions.find('s'))!.liveResponse).toEqual(live);
      await sessions.setLiveResponse('s', null);
      expect((await sessions.find('s'))!.liveResponse).toBeNull();
    });

    it('renames, archives, restores and deletes', async () => {
      using storage = disposable(fresh());
      const { sessions, messages } = storage;
      await sessions.create('s', 'Before');
      storage.advance(2000);
      expect(await sessions.rename('s', 'After')).toEqual({
        sessionId: 's',
        title: 'After',
        createdAt: START_MS / 1000,
        updatedAt: (START_MS + 2000) / 1000,
        archived: false,
      });
      expect(await sessions.rename('gone', 'x')).toBeNull();
      await sessions.archive('s');
      const archived = (await sessions.find('s'))!;
      expect([archived.archived, archived.archivedAt]).toEqual([true, (START_MS + 2000) / 1000]);
      await sessions.restore('s');
      expect((await sessions.find('s'))!.archived).toBe(false);
      await messages.append('s', [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: 'two' },
        { role: 'user', content: 'three' },
        { role: 'assistant', content: 'four' },
      ]);
      await messages.compress('s', 2, 'summary');
      await sessions.delete('s');
      expect(await sessions.find('s')).toBeNull();
      expect(await messages.list('s')).toEqual([]);
      expect(await messages.archives('s')).toEqual([]);
    });

    it("keeps a stopped run's live snapshot as an interrupted reply and clears it; empty snapshots leave no message", async () => {
      using storage = disposable(fresh());
      const { sessions, messages } = storage;
      for (const id of ['busy', 'quiet', 'archived']) await sessions.create(id, id);
      await messages.append('busy', [{ role: 'user', content: 'hello' }]);
      await sessions.setLiveResponse('busy', { runId: 'r1', content: 'Half an ans', toolCalls: [], updatedAt: 1 });
      await sessions.setLiveResponse('quiet', { runId: 'r2', content: '', toolCalls: [], updatedAt: 1 });
      await sessions.setLiveResponse('archived', { runId: 'r3', content: 'partial', toolCalls: [], updatedAt: 1 });
      await sessions.archive('archived');
      expect(await sessions.recoverInterrupted()).toBe(3);
      expect(
        (await messages.list('busy')).map((message) => [message.role, message.content, message.status, message.runId]),
      ).toEqual([
        ['user', 'hello', undefined, undefined],
        ['assistant', 'Half an ans', 'interrupted', 'r1'],
      ]);
      expect(await messages.list('quiet')).toEqual([]);
      expect((await messages.list('archived')).map((message) => message.status)).toEqual(['interrupted']);
      expect([(await sessions.find('busy'))!.liveResponse, (await sessions.find('quiet'))!.liveResponse]).toEqual([
        null,
        null,
      ]);
      expect(await sessions.recoverInterrupted()).toBe(0);
    });

    it('lists the sessions holding a live snapshot, and recovers only the sessions asked for', async () => {
      using storage = disposable(fresh());
      const { sessions, messages } = storage;
      for (const id of ['a', 'b', 'c']) await sessions.create(id, id);
      expect(await sessions.liveSessionIds()).toEqual([]);
      await sessions.setLiveResponse('a', { runId: 'ra', content: 'from a', toolCalls: [], updatedAt: 1 });
      await sessions.setLiveResponse('c', { runId: 'rc', content: 'from c', toolCalls: [], updatedAt: 1 });
      expect(await sessions.liveSessionIds()).toEqual(['a', 'c']);
      expect(await sessions.recoverInterrupted(['c', 'b'])).toBe(1);
      expect(await sessions.liveSessionIds()).toEqual(['a']);
      expect((await messages.list('c')).map((message) => [message.content, message.status])).toEqual([
        ['from c', 'interrupted'],
      ]);
      expect(await messages.list('a')).toEqual([]);
    });

    it('gives a list stamp that moves with every change a list could show, or none at all', async () => {
      using storage = disposable(fresh());
      const { sessions, messages } = storage;
      const seen = new Set<string>();
      const changes: [string, () => Promise<unknown>][] = [
        ['create', () => sessions.create('a', 'a')],
        ['create another', () => sessions.create('b', 'b')],
        ['rename', () => sessions.rename('a', 'renamed')],
        ['append', () => messages.append('b', [{ role: 'user', content: 'hi' }])],
        [
          'live snapshot',
          () => sessions.setLiveResponse('a', { runId: 'r', content: 'x', toolCalls: [], updatedAt: 1 }),
        ],
        ['recover', () => sessions.recoverInterrupted()],
        ['archive', () => sessions.archive('a')],
        ['restore', () => sessions.restore('a')],
        ['delete', () => sessions.delete('b')],
      ];
      const first = await sessions.listStamp();
      if (first === null) {
        for (const [, change] of changes) await change();
        expect(await sessions.listStamp()).toBeNull();
        return;
      }
      seen.add(first);
      for (const [name, change] of changes) {
        await change();
        const stamp = await sessions.listStamp();
        expect({ name, repeated: stamp === null || seen.has(stamp) }).toEqual({ name, repeated: false });
        seen.add(stamp!);
        // Reading changes nothing.
        await sessions.list('all', { includeInternal: true });
        expect(await sessions.listStamp()).toBe(stamp);
      }
    });

    it('counts active and archived sessions and knows the latest change', async () => {
      using storage = disposable(fresh());
      const { sessions } = storage;
      expect(await sessions.counts()).toEqual({ active: 0, archived: 0, lastUpdatedAt: null });
      await sessions.create('a', 'a');
      storage.advance(3000);
      await sessions.create('b', 'b');
      await sessions.create('__cron__:x', 'job');
      await sessions.archive('a');
      expect(await sessions.counts()).toEqual({ active: 2, archived: 1, lastUpdatedAt: (START_MS + 3000) / 1000 });
    });
  });
}

/** Lets a test close its storage with `using`. */
export function disposable<T extends { close(): void }>(value: T): T & Disposable {
  return Object.assign(value, { [Symbol.dispose]: () => value.close() });
}
