// The bundle `npm start` runs (scripts/bundle.ts), built once per test process into a temporary folder, and a server
// started from it as package.json's start script starts one, from any folder.
import { join } from 'node:path';
import { type CommandResult, runCommand } from '../../scripts/run-command';
import { cleanEnv, REPO_ROOT, type RunningBinary, type StartBinaryOptions, startBinary } from './compiled-binary';
import { makeTempDir } from './temp-dir';

/** Runs the bundle step (`bun scripts/bundle.ts`) in the checkout with `args`; never throws on a non-zero exit. */
export function runBundleStep(args: string[] = []): Promise<CommandResult> {
  return runCommand([process.execPath, join(REPO_ROOT, 'scripts', 'bundle.ts'), ...args], {
    cwd: REPO_ROOT,
    env: cleanEnv(),
  });
}

let shared: Promise<string> | undefined;

/**
 * The main entry of a bundle of the checkout's sources, built once per test process into a temporary folder
 * (removed when the process exits) so that tests never write the checkout's dist/.
 */
export function sharedBundle(): Promise<string> {
  shared ??= (async () => {
    const folder = makeTempDir('moc-bundle-');
    process.once('exit', () => folder[Symbol.dispose]());
    const result = await runBundleStep(['--out', folder.path]);
    if (result.code !== 0) throw new Error(`the bundle step exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    return result.stdout.trim();
  })();
  return shared;
}

/** Starts the server from the shared bundle as the start script does (`bun --smol --no-env-file <main> serve`), `options.args` after. */
export async function startBundle(options: StartBinaryOptions): Promise<RunningBinary> {
  const main = await sharedBundle();
  return startBinary(process.execPath, {
    ...options,
    args: ['--smol', '--no-env-file', main, 'serve', ...(options.args ?? [])],
  });
}
