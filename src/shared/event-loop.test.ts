import { describe, expect, it } from 'bun:test';
import { nextTurn, within } from './event-loop';

describe('event loop helpers', () => {
  it("gives the work's value in time, the fallback after, and the work's rejection", async () => {
    expect(await within(Promise.resolve(1), 1000, 'late')).toBe(1);
    expect(await within(new Promise<number>(() => undefined), 10, 'late')).toBe('late');
    await expect(within(Promise.reject(new Error('boom')), 1000, 'late')).rejects.toThrow('boom');
  });

  it('resolves nextTurn after what was already queued on the event loop', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('queued'));
    await nextTurn();
    order.push('after');
    expect(order).toEqual(['queued', 'after']);
  });
});
