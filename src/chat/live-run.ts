// A run in progress: its numbered events in a bounded buffer that every subscriber reads at its own pace, and its cancel switch.
import { newId } from '../shared/ids';
import type { ChatEvent } from './chat-events';

/** Events a run keeps for subscribers that fall behind and for clients that rejoin. */
export const EVENT_BUFFER_LIMIT = 5000;
/**
 * Characters of text (token text, tool inputs and outputs, the reply in `done`, retrieved texts) those events may hold: a count alone let a
 * run whose model made ten 100 KB tool calls keep 1.2 MB for ten minutes after it ended, 256 such runs at once.
 */
export const EVENT_BUFFER_CHARS = 4_000_000;

/** Events after `done` kept with it when the budget would drop it. */
const AFTER_DONE_KEPT = 4;

/** The characters an event holds, roughly: what varies with the model and its tools, plus a constant. */
function charsOf(event: ChatEvent): number {
  switch (event.type) {
    case 'token':
    case 'reasoning':
      return 64 + event.data.content.length;
    case 'tool_start':
      return 128 + (JSON.stringify(event.data.input)?.length ?? 0);
    case 'tool_end':
      return 128 + event.data.output.length;
    case 'done':
      return 256 + event.data.content.length;
    case 'approval_required':
      return 256 + (JSON.stringify(event.data.args)?.length ?? 0);
    case 'retrieval':
      return event.data.results.reduce((sum, result) => sum + 64 + result.text.length, 256 + event.data.query.length);
    default:
      return 256;
  }
}

/** A chat event with its SSE id (`<run_id>:<seq>`); events said only to one subscriber have none. */
export type RunEvent = ChatEvent & { id?: string };

export interface Subscription extends AsyncIterable<RunEvent> {
  close(): void;
}

export class LiveRun {
  /** The turn's id: its first `run_start` carries it, and every event id starts with it. */
  readonly runId: string;
  readonly done: Promise<void>;
  /** The kept events are `buffer[start..]`; dropped ones are cut off in bulk, so a full buffer costs O(1) a publish. */
  private buffer: (ChatEvent | null)[] = [];
  /** `charsOf` each buffered event, and the sum over the kept ones. */
  private sizes: number[] = [];
  private keptChars = 0;
  private start = 0;
  /** Sequence number of `buffer[start]`; events are numbered from 1. */
  private firstSeq = 1;
  private finished = false;
  private endedAt: number | null = null;
  private readonly waiters = new Set<() => void>();
  private readonly controller = new AbortController();
  private resolveDone!: () => void;

  constructor(
    readonly key: string,
    readonly message: string,
    private readonly bufferLimit = EVENT_BUFFER_LIMIT,
    runId = newId(),
    /** The number of its first event: above 1 for a paused run restored after a restart (its earlier events are gone). */
    firstSeq = 1,
    private readonly charLimit = EVENT_BUFFER_CHARS,
  ) {
    this.runId = runId;
    this.firstSeq = firstSeq;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** When the run finished (performance.now() ms), null while it runs. */
  get finishedAt(): number | null {
    return this.endedAt;
  }

  /** Aborted by `cancel()`: the model call and the run's tool processes listen to it. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Characters the kept events hold (see charsOf). */
  get retainedChars(): number {
    return this.keptChars;
  }

  /** The number the next published event gets. */
  get nextSeq(): number {
    return this.firstSeq + this.buffer.length - this.start;
  }

  publish(event: ChatEvent): void {
    if (this.finished) return;
    const chars = charsOf(event);
    this.buffer.push(event);
    this.sizes.push(chars);
    this.keptChars += chars;
    // The oldest go first; the newest event is always kept, and so is `done` (a rejoin needs the reply) with the few
    // that follow it (the title): past its budget by one reply at most, which the registry's budget counts.
    while (
      this.buffer.length - this.start > 1 &&
      !(this.buffer[this.start]?.type === 'done' && this.buffer.length - this.start <= AFTER_DONE_KEPT + 1) &&
      (this.buffer.length - this.start > this.bufferLimit || this.keptChars > this.charLimit)
    ) {
      this.keptChars -= this.sizes[this.start]!;
      // Let go of it now, not at the next compaction: a dropped tool output may be large.
      this.buffer[this.start] = null;
      this.start += 1;
      this.firstSeq += 1;
    }
    if (this.start >= this.bufferLimit) {
      this.buffer = this.buffer.slice(this.start);
      this.sizes = this.sizes.slice(this.start);
      this.start = 0;
    }
    this.wakeAll();
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.endedAt = performance.now();
    this.wakeAll();
    this.resolveDone();
  }

  /** Asks the run to stop; false when it had already finished or was cancelled before. */
  cancel(): boolean {
    if (this.finished || this.controller.signal.aborted) return false;
    this.controller.abort();
    return true;
  }

  /**
   * The run's events after sequence number `after` (default: from now on), then live ones until the run
   * finishes or `close()` is called. Events the buffer no longer holds are announced by one `error`
   * event coded `events_expired` (without an id) before the oldest event it still holds.
   */
  subscribe(after?: number): Subscription {
    let cursor = after === undefined ? this.nextSeq : Math.max(1, after + 1);
    let closed = false;
    let wake: (() => void) | null = null;
    const run = this;
    const waiter = () => wake?.();
    this.waiters.add(waiter);
    return {
      close() {
        closed = true;
        run.waiters.delete(waiter);
        wake?.();
      },
      async *[Symbol.asyncIterator]() {
        try {
          while (!closed) {
            if (cursor < run.firstSeq) {
              yield run.expired(run.firstSeq - cursor);
              cursor = run.firstSeq;
            }
            if (cursor < run.nextSeq) {
              const event = run.buffer[run.start + cursor - run.firstSeq]!;
              yield { ...event, id: `${run.runId}:${cursor}` };
              cursor += 1;
              continue;
            }
            if (run.finished) return;
            await new Promise<void>((resolve) => (wake = resolve));
            wake = null;
          }
        } finally {
          run.waiters.delete(waiter);
        }
      },
    };
  }

  private expired(missed: number): RunEvent {
    return {
      type: 'error',
      data: {
        error: `${missed} event(s) of this run are no longer held; the stream continues from the oldest one kept.`,
        run_id: this.runId,
        attempt: 1,
        code: 'events_expired',
      },
    };
  }

  private wakeAll(): void {
    for (const waiter of this.waiters) waiter();
  }
}
