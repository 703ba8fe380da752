// Which signals the process was started with set to be ignored: `nohup` ignores SIGHUP, and a handler would undo it.
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

/** The process's status text (Linux), or empty where there is none. */
function ownStatus(): string {
  try {
    return readFileSync('/proc/self/status', 'utf8');
  } catch {
    // Not Linux (or /proc not mounted): nothing is known to be ignored.
    return '';
  }
}

/**
 * Whether `signal` is ignored now, as the process was started (`SigIgn` of /proc/self/status, one bit per signal,
 * signal n at bit n − 1). Read before any handler is installed. False where it cannot be known.
 */
export function isIgnoredSignal(signal: NodeJS.Signals, status: string = ownStatus()): boolean {
  const mask = /^SigIgn:\s*([0-9a-f]+)\s*$/im.exec(status)?.[1];
  const number = constants.signals[signal];
  if (!mask || !number) return false;
  return ((BigInt(`0x${mask}`) >> BigInt(number - 1)) & 1n) === 1n;
}
