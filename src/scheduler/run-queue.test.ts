import { describe, expect, it } from 'bun:test';
import { createRunQueue } from './run-queue';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** The `onError` of queues whose runs never fail. */
const ignoreErrors = () => undefined;

describe('createRunQueue', () => {
  it('runs at most `limit` at a time, first come first served, and starts the next when one ends', async () => {
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const cStarted = deferred();
    const queue = createRunQueue(2, ignoreErrors);
    for (const jobId of ['a', 'b', 'c']) {
      gates.set(jobId, deferred());
      queue.push({
        jobId,
        execute: async () => {
          started.push(jobId);
          if (jobId === 'c') cStarted.resolve();
          return gates.get(jobId)!.promise;
        },
      });
    }
    expect(started).toEqual(['a', 'b']);
    expect(queue.waiting).toBe(1);
    gates.get('b')!.resolve();
    await cStarted.promise;
    expect(started).toEqual(['a', 'b', 'c']);
    expect(queue.active).toBe(2);
    gates.get('a')!.resolve();
    gates.get('c')!.resolve();
    await queue.idle();
    expect(queue.active).toBe(0);
  });

  it('never runs one job twice at once: its second run waits while others pass it', async () => {
    const started: string[] = [];
    const first = deferred();
    const queue = createRunQueue(2, ignoreErrors);
    queue.push({ jobId: 'a', execute: async () => (started.push('a1'), first.promise) });
    queue.push({ jobId: 'a', execute: async () => void started.push('a2') });
    queue.push({ jobId: 'b', execute: async () => void started.push('b') });
    expect(started).toEqual(['a1', 'b']);
    expect(queue.has('a')).toBe(true);
    first.resolve();
    await queue.idle();
    expect(started).toEqual(['a1', 'b', 'a2']);
    expect(queue.has('a')).toBe(false);
  });

  it('reports a failing run and goes on', async () => {
    const errors: unknown[] = [];
    let finished = 0;
    const queue = createRunQueue(
      1,
      (error) => errors.push(error),
      () => finished++,
    );
    queue.push({ jobId: 'a', execute: async () => Promise.reject(new Error('boom')) });
    queue.push({ jobId: 'b', execute: async () => undefined });
    await queue.idle();
    expect(errors.map(String)).toEqual(['Error: boom']);
    expect(finished).toBe(2);
  });
});
