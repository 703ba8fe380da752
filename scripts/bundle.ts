// The bundle `npm start` runs: src/main.ts and the model worker's entry bundled (CommonJS, as the binary) into
// dist/bundles/<stamp>/, built when no bundle of the same inputs is there, and its main.js printed for the start
// script to run. Run from the sources, Bun keeps each of LangChain's ~950 modules apart, and a server holds about
// 20 MB more once a turn has run through them (README "Turn cost: eleventh round"). No bytecode: Bun reads a
// bundle's bytecode file whole into memory. A folder that cannot be written, or a build that fails, leaves the sources
// to run, with a warning.
// Run: bun scripts/bundle.ts [--root DIR] [--out DIR]   (prints the path of the main entry to run)
import { createHash, randomUUID } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { walkRealFiles } from '../src/shared/walk-files';
import { isTestCode } from './architecture-rules';
import { isAlive, runCommand } from './run-command';

const CHECKOUT = join(import.meta.dir, '..');
/** The flags of package.json's `build` that apply to a bundle, and the name src/shared/build-files.ts looks for. */
const FLAGS = ['--target=bun', '--format=cjs', '--minify-syntax', '--minify-whitespace'];
const DEFINE = ['--define', 'MINI_OPENCLAW_BUNDLE=true'];
const ENTRIES = ['src/main.ts', 'src/chat/model-worker/worker-entry.ts'];
/** Files every whole bundle holds. */
const OUTPUTS = ['main.js', 'chat/model-worker/worker-entry.js'];
/** What the bundle is built from: the sources and assets (tests left out), and what says which packages are installed. */
const INPUT_FOLDERS = ['src', 'assets'];
const INPUT_FILES = [
  'package.json',
  'package-lock.json',
  'node_modules/.package-lock.json',
  'bun.lock',
  'bun.lockb',
  'tsconfig.json',
  'bunfig.toml',
  'scripts/bundle.ts',
];
/** How many bundles stay: a server started from an older one still starts its model workers from its folder. */
const KEEP = 3;

/** A hash of everything the bundle is built from: the input files' paths and contents, the flags and Bun's version. */
export function inputsStamp(root: string = CHECKOUT): string {
  const hash = createHash('sha256').update(`${Bun.version}\n${[...FLAGS, ...DEFINE, ...ENTRIES].join(' ')}\n`);
  const files = [
    ...INPUT_FOLDERS.flatMap((folder) => [...walkRealFiles(root, folder)].filter((path) => !isTestCode(path))),
    ...INPUT_FILES.filter((path) => existsSync(join(root, path))),
  ];
  for (const path of files)
    hash
      .update(`${path}\0`)
      .update(readFileSync(join(root, path)))
      .update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** Whether `folder` holds a whole bundle. */
export function isWhole(folder: string): boolean {
  return OUTPUTS.every((path) => existsSync(join(folder, path)));
}

/**
 * Builds into a staging folder, then renames it to `target`: a bundle folder is whole or absent, and one a server
 * runs from is never rewritten. Two builds of the same inputs racing end with the first one's.
 */
async function build(root: string, target: string): Promise<void> {
  const staging = `${target}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    const { code, stdout, stderr } = await runCommand(
      [process.execPath, 'build', ...FLAGS, ...DEFINE, ...ENTRIES, '--outdir', staging],
      { cwd: root },
    );
    if (code !== 0) throw new Error(`bun build exited ${code}\n${stdout}\n${stderr}`);
    // A folder left partial (files removed by hand) would refuse the rename for ever.
    if (existsSync(target) && !isWhole(target)) rmSync(target, { recursive: true, force: true });
    try {
      renameSync(staging, target);
    } catch (error) {
      if (!isWhole(target)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Removes staging folders of builds whose process is gone, and all bundles but `current` and the newest others. A
 * folder another start removes meanwhile is passed over; a sweep that fails says so and leaves the start to go on.
 */
function sweep(out: string, current: string): void {
  try {
    const entries = readdirSync(out);
    for (const name of entries) {
      const staging = /^[0-9a-f]{16}\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name);
      if (staging && !isAlive(Number(staging[1]))) rmSync(join(out, name), { recursive: true, force: true });
    }
    const bundles = entries
      .filter((name) => /^[0-9a-f]{16}$/.test(name) && join(out, name) !== current)
      .flatMap((name) => {
        const at = statSync(join(out, name), { throwIfNoEntry: false })?.mtimeMs;
        return at === undefined ? [] : [{ path: join(out, name), at }];
      })
      .sort((a, b) => b.at - a.at);
    for (const old of bundles.slice(KEEP - 1)) rmSync(old.path, { recursive: true, force: true });
  } catch (error) {
    console.error(`could not remove older bundles from ${out}: ${(error as Error).message}`);
  }
}

/** Where the bundles of the sources under `root` go unless told otherwise. */
const bundlesOf = (root: string) => join(root, 'dist', 'bundles');

/** Makes sure `out` holds the bundle of the sources under `root`; its main entry, and whether it had to be built. */
export async function ensureBundle(
  root: string = CHECKOUT,
  out: string = bundlesOf(root),
): Promise<{ main: string; built: boolean }> {
  const target = join(out, inputsStamp(root));
  const main = join(target, 'main.js');
  if (isWhole(target)) return { main, built: false };
  mkdirSync(out, { recursive: true });
  accessSync(out, constants.W_OK);
  await build(root, target);
  sweep(out, target);
  return { main, built: true };
}

/** Whether `error` says the output folder cannot be made or written (a read-only checkout, say). */
const isUnwritable = (error: unknown) =>
  ['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST'].includes((error as NodeJS.ErrnoException)?.code ?? '');

if (import.meta.main) {
  const { values } = parseArgs({ options: { root: { type: 'string' }, out: { type: 'string' } }, strict: true });
  const root = values.root ? resolve(values.root) : CHECKOUT;
  const out = values.out ? resolve(values.out) : bundlesOf(root);
  const started = performance.now();
  try {
    const { main, built } = await ensureBundle(root, out);
    if (built) console.error(`bundled the sources into ${main} in ${Math.round(performance.now() - started)} ms`);
    console.log(main);
  } catch (error) {
    // The server still starts, from the sources (which say for themselves what is wrong with them, if anything).
    const reason = error instanceof Error ? error.message : String(error);
    const what = isUnwritable(error) ? `cannot write ${out}` : 'could not bundle the sources';
    console.error(`${what} (${reason.trim()}): running the sources, which take more memory`);
    console.log(join(root, 'src', 'main.ts'));
  }
}
