// A run in progress: its subscribers, each with a bounded queue.
import type { ChatEvent } from './chat-events';

const QUEUE_LIMIT = 512;

export interface Subscription extends AsyncIterable<ChatEvent> {
  close(): void;
}

export class LiveRun {
  private readonly subscribers = new Set<{ queue: ChatEvent[]; wake: (() => void) | null; closed: boolean }>();
  private finished = false;
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(
    readonly key: string,
    readonly message: string,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get isFinished(): boolean {
    return this.finished;
  }

  publish(event: ChatEvent): void {
    for (const subscriber of this.subscribers) {
      if (subscriber.queue.length >= QUEUE_LIMIT) subscriber.queue.shift();
      subscriber.queue.push(event);
      subscriber.wake?.();
    }
  }

  finish(): void {
    this.finished = true;
    for (const subscriber of this.subscribers) {
      subscriber.closed = true;
      subscriber.wake?.();
    }
    this.resolveDone();
  }

  /** Events published from now on, until the run finishes or `close()` is called. */
  subscribe(): Subscription {
    const subscriber = { queue: [] as ChatEvent[], wake: null as (() => void) | null, closed: this.finished };
    this.subscribers.add(subscriber);
    const subscribers = this.subscribers;
    return {
      close() {
        subscriber.closed = true;
        subscribers.delete(subscriber);
        subscriber.wake?.();
      },
      async *[Symbol.asyncIterator]() {
        try {
          while (true) {
            const next = subscriber.queue.shift();
            if (next) {
              yield next;
              continue;
            }
            if (subscriber.closed) return;
            await new Promise<void>((resolve) => (subscriber.wake = resolve));
            subscriber.wake = null;
          }
        } finally {
          subscribers.delete(subscriber);
        }
      },
    };
  }
}
