// How a real server process started with given flags and variables ends up: refused at start (its exit code and
// what it printed), or listening (then stopped at once). For settings a server must refuse: a test that expects a
// refusal then fails on 'listening' instead of waiting on a server that runs on.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cleanEnv, REPO_ROOT } from './compiled-binary';
import { makeTempDir } from './temp-dir';

export type StartOutcome = { kind: 'exited'; code: number; stderr: string } | { kind: 'listening'; stdout: string };

/**
 * Runs `bun src/main.ts serve <args>` in an empty folder with only PATH, HOME and `env`; `dataFiles` (paths relative
 * to the data folder, and their text) are written there first.
 */
export async function startOutcome(
  args: string[],
  env: Record<string, string> = {},
  dataFiles: Record<string, string> = {},
): Promise<StartOutcome> {
  using folder = makeTempDir('moc-start-outcome-');
  for (const [path, text] of Object.entries(dataFiles)) {
    const file = join(folder.path, 'data', path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  const child = Bun.spawn({
    cmd: [
      process.execPath,
      join(REPO_ROOT, 'src', 'main.ts'),
      'serve',
      '--data-dir',
      join(folder.path, 'data'),
      ...args,
    ],
    cwd: folder.path,
    env: cleanEnv({ APP_LOG_LEVEL: 'warn', ...env }),
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const stderr = new Response(child.stderr).text();
  let stdout = '';
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    stdout += decoder.decode(chunk, { stream: true });
    if (stdout.includes('listening on')) {
      child.kill('SIGKILL');
      await child.exited;
      return { kind: 'listening', stdout };
    }
  }
  return { kind: 'exited', code: await child.exited, stderr: await stderr };
}
