import { describe, expect, it } from 'bun:test';
import type { ChatEvent } from './chat-events';
import { LiveRun, type RunEvent } from './live-run';

const token = (content: string): ChatEvent => ({ type: 'token', data: { content, source: 'messages' } });

async function collect(source: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  for await (const event of source) events.push(event);
  return events;
}

describe('LiveRun', () => {
  it('numbers events from 1 and gives a new subscriber only what comes after it joined', async () => {
    const run = new LiveRun('k', 'm', 10, 'run-1');
    run.publish(token('a'));
    const late = run.subscribe();
    const whole = run.subscribe(0);
    run.publish(token('b'));
    run.finish();
    run.publish(token('ignored'));
    expect((await collect(late)).map((event) => event.id)).toEqual(['run-1:2']);
    expect(await collect(whole)).toEqual([
      { ...token('a'), id: 'run-1:1' },
      { ...token('b'), id: 'run-1:2' },
    ]);
  });

  it('tells a subscriber that fell behind the buffer how many events it missed, once, then goes on', async () => {
    const run = new LiveRun('k', 'm', 3, 'run-1');
    const slow = run.subscribe();
    for (const content of ['1', '2', '3', '4', '5']) run.publish(token(content));
    run.finish();
    const events = await collect(slow);
    expect(events[0]).toMatchObject({ type: 'error', data: { code: 'events_expired', run_id: 'run-1' } });
    expect(events.slice(1).map((event) => event.id)).toEqual(['run-1:3', 'run-1:4', 'run-1:5']);
  });

  it('keeps the newest events in order however many times the buffer wraps', async () => {
    const run = new LiveRun('k', 'm', 3, 'run-1');
    for (let index = 1; index <= 10; index++) run.publish(token(String(index)));
    run.finish();
    const events = await collect(run.subscribe(7));
    expect(events.map((event) => [event.id, event.type === 'token' && event.data.content])).toEqual([
      ['run-1:8', '8'],
      ['run-1:9', '9'],
      ['run-1:10', '10'],
    ]);
  });

  it('keeps events within its character budget too, the newest always, and counts what it holds', async () => {
    const output = (size: number): ChatEvent => ({
      type: 'tool_end',
      data: { run_id: 'run-1', tool: 't', output: 'o'.repeat(size) },
    });
    const run = new LiveRun('k', 'm', 100, 'run-1', 1, 10_000);
    for (let index = 0; index < 5; index++) run.publish(output(3000));
    // Three tool outputs of 3,128 characters fit in 10,000, not four.
    expect(run.retainedChars).toBe(3 * 3128);
    run.publish(output(50_000));
    expect(run.retainedChars).toBe(50_128);
    run.finish();
    const events = await collect(run.subscribe(0));
    expect(events[0]).toMatchObject({ type: 'error', data: { code: 'events_expired' } });
    expect(events.slice(1).map((event) => event.id)).toEqual(['run-1:6']);
  });

  it('counts the reply in done, the arguments of an approval and retrieved texts against the budget', () => {
    const run = new LiveRun('k', 'm', 100, 'run-1', 1, 1_000_000);
    const text = 'x'.repeat(100_000);
    const data = { session_id: 's', agent_id: 'a', run_id: 'run-1', token_source: 'messages', usage: {} };
    run.publish({ type: 'done', data: { ...data, content: text } });
    run.publish({
      type: 'approval_required',
      data: { approval_id: 'p', run_id: 'run-1', tool: 't', args: { text }, permission_level: 'L3', expires_at: 0 },
    });
    run.publish({ type: 'retrieval', data: { query: 'q', results: [{ text, score: 1, source: 'memory' }] } });
    expect(run.retainedChars).toBeGreaterThan(300_000);
  });

  it('keeps done past its budget for a rejoin, dropping what came before it', async () => {
    const run = new LiveRun('k', 'm', 100, 'run-1', 1, 10_000);
    const data = { session_id: 's', agent_id: 'a', run_id: 'run-1', token_source: 'messages', usage: {} };
    run.publish(token('a'));
    run.publish({ type: 'done', data: { ...data, content: 'x'.repeat(20_000) } });
    run.publish({ type: 'title', data: { session_id: 's', agent_id: 'a', title: 'T' } });
    run.finish();
    expect((await collect(run.subscribe(0))).map((event) => event.type)).toEqual(['error', 'done', 'title']);
    // Not for ever: events piling up after it still push it out.
    const later = new LiveRun('k', 'm', 100, 'run-2', 1, 10_000);
    later.publish({ type: 'done', data: { ...data, content: 'x'.repeat(20_000) } });
    for (let index = 0; index < 10; index++) later.publish(token(String(index)));
    expect(later.retainedChars).toBeLessThan(10_000);
  });

  it('cancels once, and never after it finished; close() ends a waiting subscription', async () => {
    const run = new LiveRun('k', 'm');
    const waiting = run.subscribe();
    const drained = collect(waiting);
    waiting.close();
    expect(await drained).toEqual([]);
    expect(run.cancel()).toBe(true);
    expect(run.signal.aborted).toBe(true);
    expect(run.cancel()).toBe(false);
    const finished = new LiveRun('k', 'm');
    finished.finish();
    expect(finished.cancel()).toBe(false);
  });
});
