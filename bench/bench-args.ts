// A bench's command line: node:util's parseArgs over the process's arguments, strict. What it refuses (an unknown
// flag, a missing value) ends the run with the message, the bench's usage and exit code 2, as do the checks a bench
// makes of the values itself (refuseArguments).
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** Prints `message` (when there is one) and `usage` on stderr and exits 2. */
export function refuseArguments(message: string, usage: string): never {
  console.error(message ? `${message}\n${usage}` : usage);
  process.exit(2);
}

/** The process's arguments parsed by `config` (strict); what parseArgs refuses exits 2 with `usage`. */
export function parseBenchArgs<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs<T>({ ...config, args: process.argv.slice(2), strict: true });
  } catch (error) {
    return refuseArguments((error as Error).message, usage);
  }
}
