// Long work that leaves the server thread to others: a return to the event loop, and a wait that gives up in time.

/** Resolves at the event loop's next turn: the rest of a long piece of work waits behind timers and requests. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A long loop's slices of work: `due` once the current one has run `ms`; `next()` gives the thread back, then starts one. */
export interface TimeSlices {
  readonly due: boolean;
  next(): Promise<void>;
}

export function timeSlices(ms: number): TimeSlices {
  let start = performance.now();
  return {
    get due() {
      return performance.now() - start >= ms;
    },
    async next() {
      await nextTurn();
      start = performance.now();
    },
  };
}

/**
 * `work`'s value if it settles within `ms`, else `fallback` (the work goes on alone); a rejection of `work` in time
 * rejects. The timer is cleared either way.
 */
export async function within<T, F>(work: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<F>((resolve) => {
        timer = setTimeout(() => resolve(fallback), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
