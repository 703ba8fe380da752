// Runs src/main.ts as a real process (a one-shot command such as migrate, export or import) and collects its output.
import { join } from 'node:path';
import { type CommandResult, runCommand } from '../../scripts/run-command';
import { cleanEnv } from './compiled-binary';

const MAIN = join(import.meta.dir, '..', '..', 'src', 'main.ts');

/** Runs src/main.ts in `cwd` (so no other .env is read) with only PATH, HOME and `env`. */
export function runMain(cwd: string, args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  return runCommand([process.execPath, MAIN, ...args], { cwd, env: cleanEnv(env) });
}
