// The bundle `npm start` runs: package.json's `start` script read as its two commands, the first (scripts/bundle.ts)
// run once per test process in the checkout as `npm start` runs it, the second started as a server from any folder.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../../scripts/run-command';
import { cleanEnv, startBinary, type RunningBinary, type StartBinaryOptions } from './compiled-binary';

const REPO_ROOT = join(import.meta.dir, '..', '..');

/** package.json's `start` script as the arguments of its two `bun` commands: the bundle step, then the server. */
export function startScript(): { bundle: string[]; serve: string[] } {
  const script: string = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts.start;
  const [bundle, serve, ...rest] = script.split('&&').map((command) => command.trim().split(/\s+/));
  if (!bundle || !serve || rest.length > 0 || bundle[0] !== 'bun' || serve[0] !== 'bun')
    throw new Error(`package.json start script is not "bun … && bun …": ${script}`);
  return { bundle: bundle.slice(1), serve: serve.slice(1) };
}

/** The bundle's main entry, the `.js` file the start script's server command runs, as an absolute path. */
export function bundleMain(): string {
  const main = startScript().serve.find((word) => word.endsWith('.js'));
  if (!main) throw new Error('package.json start script runs no .js file');
  return join(REPO_ROOT, main);
}

/** Runs the start script's bundle step in the checkout; resolves with its exit code and what it printed. */
export async function runBundleStep(): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await runCommand([process.execPath, ...startScript().bundle], {
    cwd: REPO_ROOT,
    env: cleanEnv(),
  });
  return { code, output: stdout + stderr };
}

let shared: Promise<string> | undefined;

/** The bundle's main entry once the bundle step has run (once per test process); throws with its output if it fails. */
export function sharedBundle(): Promise<string> {
  shared ??= runBundleStep().then(({ code, output }) => {
    if (code !== 0) throw new Error(`the start script's bundle step exited ${code}\n${output}`);
    return bundleMain();
  });
  return shared;
}

/** Starts the server the way the start script's second command does (bundle path made absolute), `options.args` after. */
export async function startBundle(options: StartBinaryOptions): Promise<RunningBinary> {
  await sharedBundle();
  const serve = startScript().serve.map((word) => (word.endsWith('.js') ? join(REPO_ROOT, word) : word));
  return startBinary(process.execPath, { ...options, args: [...serve, ...(options.args ?? [])] });
}
