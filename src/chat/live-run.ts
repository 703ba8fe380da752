// A run in progress: its subscribers, each with a bounded queue, and the registry of live runs.
import { AppError } from '../shared/app-error';
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

  constructor(readonly key: string, readonly message: string) {
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

/** At most one live run per agent and session. */
export class RunRegistry {
  private readonly runs = new Map<string, LiveRun>();

  /** The live run for the same message (attach), a new run, or 409 `session_busy`. */
  claim(agentId: string, sessionId: string, message: string): { run: LiveRun; attached: boolean } {
    const key = `${agentId}:${sessionId}`;
    const live = this.runs.get(key);
    if (live && !live.isFinished) {
      if (live.message.trim() === message.trim()) return { run: live, attached: true };
      throw new AppError('session_busy', 'A streaming run is already active for this session.');
    }
    const run = new LiveRun(key, message);
    this.runs.set(key, run);
    void run.done.then(() => {
      if (this.runs.get(key) === run) this.runs.delete(key);
    });
    return { run, attached: false };
  }

  isBusy(agentId: string, sessionId: string): boolean {
    return this.runs.has(`${agentId}:${sessionId}`);
  }

  /** Resolves when every live run has finished. */
  async drain(): Promise<void> {
    await Promise.all([...this.runs.values()].map((run) => run.done));
  }
}
