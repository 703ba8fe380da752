// The events a POST /api/chat stream sends for a started turn: a new run's from its first, an attached one's from now,
// a queued message's once its turn comes.
import { isAppError } from '../shared/app-error';
import type { StartedTurn } from './chat-service';
import type { RunEvent, Subscription } from './live-run';

/**
 * A subscription that may have to wait for its run (a queued message). A queued message that cannot run
 * when its turn comes (the budget blocks it, the session was deleted, no model can run) ends the stream with an
 * `error` event. Its `run_id` is `""` (the contract allows it): no run was started for the message, so there is
 * none to rejoin or cancel (one another replica took runs there, under an id this process never sees).
 */
export function turnEvents(turn: StartedTurn): Subscription {
  let inner: Subscription | null = null;
  let closed = false;
  return {
    close() {
      closed = true;
      inner?.close();
    },
    async *[Symbol.asyncIterator](): AsyncGenerator<RunEvent> {
      let run: Awaited<StartedTurn['run']>;
      try {
        run = await turn.run;
      } catch (error) {
        yield {
          type: 'error',
          data: {
            error: isAppError(error) ? error.message : 'Internal server error',
            run_id: '',
            attempt: 1,
            code: isAppError(error) ? error.code : 'internal_error',
          },
        };
        return;
      }
      if (closed) return;
      inner = turn.attached ? run.subscribe() : run.subscribe(0);
      yield* inner;
    },
  };
}
