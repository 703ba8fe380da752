// Who goes first on the one JavaScript thread: turns on their way to a first token, before the work a finished turn leaves behind.
import { nextEventLoopTurn } from './stream-pacing';

/** Work left by a finished turn waits at most this long for the turns in their opening phase. */
export const AFTER_TURN_MAX_WAIT_MS = 500;

export interface TurnPriority {
  /**
   * Marks a turn as opening (accepted, not yet heard from by its client); the returned function ends that
   * phase and may be called more than once.
   */
  open(): () => void;
  /** How many turns are opening now. */
  readonly opening: number;
  /**
   * Resolves once what was published so far has been written out and no turn is opening (checked at every
   * return to the event loop), or after `maxWaitMs` at the latest (the priority's own by default), so that
   * steady load cannot starve it.
   */
  whenIdle(maxWaitMs?: number): Promise<void>;
}

/**
 * A finished turn's leftovers (its usage row, the title call and rename) wait here, so they neither delay
 * its own `done` on the wire nor take the thread from the next turns before their first token.
 */
export function createTurnPriority(defaultMaxWaitMs = AFTER_TURN_MAX_WAIT_MS): TurnPriority {
  let opening = 0;
  const waiters = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of [...waiters]) wake();
  };
  /** Resolves at the next `leave` that leaves no turn opening, or after `ms`. */
  const untilNoneOpening = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      waiters.add(wake);
    });
  return {
    open() {
      opening += 1;
      let open = true;
      return () => {
        if (!open) return;
        open = false;
        opening -= 1;
        if (opening === 0) wakeAll();
      };
    },
    get opening() {
      return opening;
    },
    async whenIdle(maxWaitMs = defaultMaxWaitMs) {
      const deadline = performance.now() + maxWaitMs;
      await nextEventLoopTurn();
      for (let left = maxWaitMs; opening > 0 && left > 0; left = deadline - performance.now()) {
        await untilNoneOpening(left);
        await nextEventLoopTurn();
      }
    },
  };
}
