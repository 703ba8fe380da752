// Runs async tasks one after another, so a task's awaits never interleave with the next one's.

export interface SerialQueue {
  /** Runs `task` after every task queued before it; settles like `task` (a failure does not stop the queue). */
  run<T>(task: () => Promise<T>): Promise<T>;
}

export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run(task) {
      const next = tail.then(task, task);
      // The queue goes on after a failure; the caller sees it through `next`.
      tail = next.catch(() => undefined);
      return next;
    },
  };
}
