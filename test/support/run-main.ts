// Runs src/main.ts as a real process (a one-shot command such as migrate, export or import) and collects its output.
import { join } from 'node:path';
import { cleanEnv } from './compiled-binary';

const MAIN = join(import.meta.dir, '..', '..', 'src', 'main.ts');

export interface MainOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs src/main.ts in `cwd` (so no other .env is read) with only PATH, HOME and `env`. */
export async function runMain(cwd: string, args: string[], env: Record<string, string> = {}): Promise<MainOutcome> {
  const child = Bun.spawn({
    cmd: [process.execPath, MAIN, ...args],
    cwd,
    env: cleanEnv(env),
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [code, stdout, stderr] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { code, stdout, stderr };
}
