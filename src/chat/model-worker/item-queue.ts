// Items pushed from outside (a model worker's messages, a model's token callback: model-token-stream.ts), read as an
// async iterable by the turn: in order, then the end or the failure.

/** An async iterable fed from outside; `onStop` runs once, when the reader stops early or the feed ends. */
export class ItemQueue implements AsyncIterable<unknown>, AsyncIterator<unknown> {
  private readonly items: unknown[] = [];
  private head = 0;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private waiting: { resolve(result: IteratorResult<unknown>): void; reject(error: unknown): void } | undefined;
  private stopped = false;

  constructor(private readonly onStop: () => void) {}

  push(items: unknown[]): void {
    if (this.ended || this.failure) return;
    for (const item of items) this.items.push(item);
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  fail(error: unknown): void {
    if (this.ended || this.failure) return;
    this.failure = { error };
    this.wake();
  }

  [Symbol.asyncIterator](): AsyncIterator<unknown> {
    return this;
  }

  next(): Promise<IteratorResult<unknown>> {
    const ready = this.take();
    if (ready) return ready;
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /** The reader stopped early (`break`, a throw): the worker's call is aborted. */
  return(): Promise<IteratorResult<unknown>> {
    this.stop();
    this.ended = true;
    this.items.length = 0;
    this.head = 0;
    return Promise.resolve({ done: true, value: undefined });
  }

  /** What `next` can answer without waiting, if anything. */
  private take(): Promise<IteratorResult<unknown>> | undefined {
    if (this.head < this.items.length) {
      const value = this.items[this.head++];
      if (this.head === this.items.length) {
        this.items.length = 0;
        this.head = 0;
      }
      return Promise.resolve({ done: false, value });
    }
    if (this.failure) {
      this.stop();
      return Promise.reject(this.failure.error);
    }
    if (this.ended) {
      this.stop();
      return Promise.resolve({ done: true, value: undefined });
    }
    return undefined;
  }

  private wake(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    const ready = this.take();
    if (!ready) return;
    this.waiting = undefined;
    ready.then(waiting.resolve, waiting.reject);
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.onStop();
  }
}
