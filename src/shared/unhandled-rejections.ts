// A promise rejected with nothing to handle it: logged, and the process goes on.
import type { Logger } from './logger';

/**
 * Bun ends a process on a promise rejected with no handler. In a server that is one stray background chain (a
 * lock release nobody awaits, a write of a finished run) cutting every live stream and skipping the clean stop,
 * whose runs then say `running` until the next start. The server logs it at `error` and goes on instead: the
 * chain's own work has failed, as if it had been handled. Returns the remover. Thrown exceptions still end the
 * process: code cut off halfway through a synchronous step can leave state no one can vouch for.
 */
export function logUnhandledRejections(logger: Logger): () => void {
  const listener = (reason: unknown) => {
    logger.error('a promise was rejected with nothing to handle it; the server goes on', {
      error: reason instanceof Error ? (reason.stack ?? `${reason.name}: ${reason.message}`) : String(reason),
    });
  };
  process.on('unhandledRejection', listener);
  return () => process.off('unhandledRejection', listener);
}
