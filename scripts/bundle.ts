// Builds the bundle `npm start` runs, dist/bundle/main.js and the model worker's entry beside it (CommonJS, as the
// binary), unless the bundle there was built from the same inputs. Run from the sources, Bun keeps every one of
// LangChain's ~950 modules apart, and a server holds about 20 MB more once a turn has run through them
// (README "Turn cost: eleventh round"). Without bytecode: Bun reads a bundle's bytecode file whole into memory.
// Run: bun scripts/bundle.ts [--out DIR]   (`npm start` runs it, then the server from the bundle).
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { walkRealFiles } from '../src/shared/walk-files';
import { runCommand } from './run-command';

const ROOT = join(import.meta.dir, '..');
const STAMP = 'inputs.sha256';
/** The flags of package.json's `build` that apply to a bundle (`--compile`, `--bytecode` and their own flags aside). */
const FLAGS = ['--target=bun', '--format=cjs', '--minify-syntax', '--minify-whitespace'];
const ENTRIES = ['src/main.ts', 'src/chat/model-worker/worker-entry.ts'];
/** What goes into the bundle besides node_modules, which the lock file stands for; tests are left out. */
const INPUT_FOLDERS = ['src', 'assets'];
const INPUT_FILES = ['package.json', 'package-lock.json', 'scripts/bundle.ts'];
const isTest = (path: string) => /\.(test|contract)\.ts$/.test(path);

/** A hash of everything the bundle is built from: the input files' paths and contents, the flags and Bun's version. */
export function inputsStamp(root: string = ROOT): string {
  const hash = createHash('sha256').update(`${Bun.version}\n${FLAGS.join(' ')}\n${ENTRIES.join(' ')}\n`);
  const files = [
    ...INPUT_FOLDERS.flatMap((folder) => [...walkRealFiles(root, folder)].filter((path) => !isTest(path))),
    ...INPUT_FILES.filter((path) => existsSync(join(root, path))),
  ];
  for (const path of files)
    hash
      .update(`${path}\0`)
      .update(readFileSync(join(root, path)))
      .update('\0');
  return hash.digest('hex');
}

/** Whether `out` holds a whole bundle built from inputs with this stamp. */
export function isUpToDate(out: string, stamp: string): boolean {
  const stampFile = join(out, STAMP);
  return existsSync(join(out, 'main.js')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;
}

/**
 * Builds into a folder of its own beside `out`, then puts it in place of `out`, so a server starting meanwhile
 * finds the old bundle or the new one whole. Two builds racing end with one of them in place.
 */
async function build(root: string, out: string, stamp: string): Promise<void> {
  const build = `${process.pid}-${randomUUID().slice(0, 8)}`;
  const staging = `${out}.${build}.new`;
  const old = `${out}.${build}.old`;
  try {
    const { code, stdout, stderr } = await runCommand(
      [process.execPath, 'build', ...FLAGS, ...ENTRIES, '--outdir', staging],
      { cwd: root },
    );
    if (code !== 0) throw new Error(`bun build exited ${code}\n${stdout}\n${stderr}`);
    writeFileSync(join(staging, STAMP), stamp);
    if (existsSync(out)) renameSync(out, old);
    try {
      renameSync(staging, out);
    } catch (error) {
      // Another build put its bundle in place between the two renames: keep it if it is the same.
      if (!isUpToDate(out, stamp)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}

/** Makes sure `out` holds the bundle of the sources under `root`; says whether it had to build it. */
export async function ensureBundle(root: string = ROOT, out: string = join(root, 'dist', 'bundle')): Promise<boolean> {
  const stamp = inputsStamp(root);
  if (isUpToDate(out, stamp)) return false;
  await build(root, out, stamp);
  return true;
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { out: { type: 'string' } }, strict: true });
  const out = values.out ? resolve(values.out) : join(ROOT, 'dist', 'bundle');
  const started = performance.now();
  try {
    if (await ensureBundle(ROOT, out))
      console.error(`bundled the sources into ${out} in ${Math.round(performance.now() - started)} ms`);
  } catch (error) {
    console.error(`could not bundle the sources: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
