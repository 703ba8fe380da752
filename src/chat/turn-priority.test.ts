import { describe, expect, test } from 'bun:test';
import { nextEventLoopTurn } from './stream-pacing';
import { createTurnPriority } from './turn-priority';

/** Whether `promise` settled within `turns` returns to the event loop. */
async function settlesWithin(promise: Promise<unknown>, turns: number): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  for (let turn = 0; turn < turns && !settled; turn++) await nextEventLoopTurn();
  return settled;
}

describe('turn priority', () => {
  test('with no turn opening, idle comes at the next return to the event loop', async () => {
    const priority = createTurnPriority();
    expect(await settlesWithin(priority.whenIdle(60_000), 3)).toBe(true);
  });

  test('leftover work waits while a turn is opening and goes on when the last one is heard from', async () => {
    const priority = createTurnPriority();
    const first = priority.open();
    const second = priority.open();
    const idle = priority.whenIdle(60_000);
    expect(await settlesWithin(idle, 20)).toBe(false);
    first();
    expect(await settlesWithin(idle, 20)).toBe(false);
    second();
    expect(await settlesWithin(idle, 5)).toBe(true);
    expect(priority.opening).toBe(0);
  });

  test('ending a turn twice counts once', async () => {
    const priority = createTurnPriority();
    const first = priority.open();
    const second = priority.open();
    first();
    first();
    expect(priority.opening).toBe(1);
    expect(await settlesWithin(priority.whenIdle(60_000), 20)).toBe(false);
    second();
    expect(priority.opening).toBe(0);
  });

  test('a turn that never opens up cannot hold leftover work past the longest wait', async () => {
    const priority = createTurnPriority();
    const stuck = priority.open();
    await priority.whenIdle(5);
    expect(priority.opening).toBe(1);
    stuck();
  });

  test('a turn opening after the wait began holds it too', async () => {
    const priority = createTurnPriority();
    const first = priority.open();
    const idle = priority.whenIdle(60_000);
    const second = priority.open();
    first();
    expect(await settlesWithin(idle, 20)).toBe(false);
    second();
    expect(await settlesWithin(idle, 5)).toBe(true);
  });
});
