// What run event ids and the replay buffer add to the first token: the path publish → subscriber → SSE bytes of
// a LiveRun, against formatting the same event straight away (no buffer, no id), in this process.
import { LiveRun } from '../../src/chat/live-run';
import type { ChatEvent } from '../../src/chat';
import { formatSseEvent } from '../../src/http/sse';
import type { BenchCase } from './case-kit';

const token: ChatEvent = { type: 'token', data: { content: 'tok ', source: 'messages' } };
const encoder = new TextEncoder();

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

/** ms from publishing a run's first event to its SSE bytes, for `runs` fresh runs (each with `before` events already buffered). */
async function firstEventThroughRun(runs: number, before: number): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < runs; index++) {
    const run = new LiveRun('bench', 'm');
    for (let filler = 0; filler < before; filler++) run.publish(token);
    const events = run.subscribe()[Symbol.asyncIterator]();
    const next = events.next();
    const started = performance.now();
    run.publish(token);
    const { value } = await next;
    encoder.encode(formatSseEvent(value!));
    samples.push(performance.now() - started);
    run.finish();
  }
  return samples;
}

/** The same, without the run: the event formatted the moment it exists (one await, as the stream has). */
async function firstEventDirect(runs: number): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < runs; index++) {
    const started = performance.now();
    const event = await Promise.resolve(token);
    encoder.encode(formatSseEvent(event));
    samples.push(performance.now() - started);
  }
  return samples;
}

export function eventBufferCase(name: string, runs: number): BenchCase {
  return async ({ report }) => {
    await firstEventThroughRun(200, 0);
    await firstEventDirect(200);
    const direct = await firstEventDirect(runs);
    const fresh = await firstEventThroughRun(runs, 0);
    // A run whose buffer is full (5000 events): every publish also drops the oldest.
    const full = await firstEventThroughRun(Math.min(runs, 200), 5000);
    const target = '≤ 1 ms (1000 µs)';
    const µs = (ms: number) => ms * 1000;
    report.add(name, 'first event, straight to SSE bytes: p50', µs(percentile(direct, 50)), 'µs');
    report.add(name, 'first event through run buffer + id: p50', µs(percentile(fresh, 50)), 'µs');
    report.add(
      name,
      'added by ids + buffer to the first token: p99',
      µs(percentile(fresh, 99) - percentile(direct, 99)),
      'µs',
      target,
    );
    report.add(
      name,
      'same, buffer full (5000 events): p99',
      µs(percentile(full, 99) - percentile(direct, 99)),
      'µs',
      target,
    );
    return [];
  };
}
