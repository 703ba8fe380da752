import { describe, expect, it } from 'bun:test';
import { AppError } from '../shared/app-error';
import { createStreamSlots } from './stream-slots';

/** The `details` of the refusal `take` throws, or null when it gives a slot. */
function refusal(take: () => unknown): Record<string, unknown> | null {
  try {
    take();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('too_many_streams');
    return (error as AppError).details ?? null;
  }
}

describe('createStreamSlots', () => {
  it('refuses a run past its own limit, and the server past its total, until a slot is released', () => {
    const slots = createStreamSlots({ perRun: 2, total: 3 });
    const a1 = slots.take('a');
    slots.take('a');
    expect(refusal(() => slots.take('a'))).toEqual({ run_id: 'a', scope: 'run', limit: 2, retry_after_seconds: 5 });
    slots.take('b');
    expect(refusal(() => slots.take('c'))).toEqual({ run_id: 'c', scope: 'server', limit: 3, retry_after_seconds: 5 });
    a1.release();
    a1.release();
    expect(slots.size).toBe(2);
    expect(refusal(() => slots.take('c'))).toBeNull();
    expect(refusal(() => slots.take('a'))).toEqual(expect.objectContaining({ scope: 'server' }));
  });
});
