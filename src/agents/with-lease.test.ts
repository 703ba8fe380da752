import { describe, expect, it } from 'bun:test';
import type { AgentHandle } from './agent-handle';
import { watchDeletion } from './with-lease';

const handleOf = (controller: AbortController) => ({ id: 'a1', signal: controller.signal }) as AgentHandle<unknown>;

describe('watchDeletion', () => {
  it('settles each guarded piece of work as the work does while the agent lives', async () => {
    const controller = new AbortController();
    using watch = watchDeletion(handleOf(controller));
    expect(await watch.guard(Promise.resolve(1))).toBe(1);
    expect(await watch.guard(Promise.resolve(2))).toBe(2);
    await expect(watch.guard(Promise.reject(new Error('broke')))).rejects.toThrow('broke');
  });

  it('rejects the piece in flight with agent_deleted when the agent is deleted, and every later one at once', async () => {
    const controller = new AbortController();
    using watch = watchDeletion(handleOf(controller));
    const pending = watch.guard(new Promise<number>(() => undefined));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'agent_deleted' });
    await expect(watch.guard(Promise.resolve(3))).rejects.toMatchObject({ code: 'agent_deleted' });
  });

  it('holds one abort listener however many pieces it guards, and none once disposed', async () => {
    const controller = new AbortController();
    let added = 0;
    let removed = 0;
    const signal = controller.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => {
      added += 1;
      return add(...args);
    }) as typeof signal.addEventListener;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      removed += 1;
      return remove(...args);
    }) as typeof signal.removeEventListener;
    {
      using watch = watchDeletion(handleOf(controller));
      for (let index = 0; index < 100; index++) await watch.guard(Promise.resolve(index));
    }
    expect([added, removed]).toEqual([1, 1]);
  });
});
