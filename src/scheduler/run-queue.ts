// Per-agent run queue: at most `limit` runs at a time, one job never twice at once, first come first served.

export interface QueuedRun {
  jobId: string;
  execute(): Promise<void>;
}

export interface RunQueue {
  push(run: QueuedRun): void;
  /** Whether the job has a run waiting or executing. */
  has(jobId: string): boolean;
  /** Changes the concurrency limit (from `cron.max_concurrent_runs`) and starts what now fits. */
  setLimit(limit: number): void;
  /** Drops waiting runs (those executing finish); `has` stays true for executing ones. */
  clear(): void;
  /** Resolves when nothing is executing. */
  idle(): Promise<void>;
  readonly active: number;
  readonly waiting: number;
}

/** `onFinished` runs after a run has left the queue (so `has` is already false for its job). */
export function createRunQueue(
  initialLimit: number,
  onError: (error: unknown) => void,
  onFinished: () => void = () => {
    // No listener by default.
  },
): RunQueue {
  let limit = Math.max(1, initialLimit);
  const waiting: QueuedRun[] = [];
  const executing = new Set<string>();
  const running = new Set<Promise<void>>();

  const pump = () => {
    while (running.size < limit) {
      const index = waiting.findIndex((run) => !executing.has(run.jobId));
      if (index < 0) return;
      const [run] = waiting.splice(index, 1);
      executing.add(run!.jobId);
      const promise: Promise<void> = run!
        .execute()
        .catch(onError)
        .finally(() => {
          executing.delete(run!.jobId);
          running.delete(promise);
          pump();
          onFinished();
        });
      running.add(promise);
    }
  };

  return {
    push(run) {
      waiting.push(run);
      pump();
    },
    has: (jobId) => executing.has(jobId) || waiting.some((run) => run.jobId === jobId),
    setLimit(next) {
      limit = Math.max(1, next);
      pump();
    },
    clear() {
      waiting.length = 0;
    },
    async idle() {
      while (running.size > 0) await Promise.all([...running]);
    },
    get active() {
      return running.size;
    },
    get waiting() {
      return waiting.length;
    },
  };
}
