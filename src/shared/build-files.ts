// Where the running build keeps files of its own: the single binary under /$bunfs/root/, the bundle `npm start` runs
// (scripts/bundle.ts) beside its main.js, the sources where they are.
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What the process runs: the compiled binary, the bundle of `npm start`, or the TypeScript sources. */
export type RunningBuild = 'binary' | 'bundle' | 'sources';

/** scripts/bundle.ts builds with `--define MINI_OPENCLAW_BUNDLE=true`; anywhere else the name is not defined. */
declare const MINI_OPENCLAW_BUNDLE: boolean | undefined;
const IN_BUNDLE = typeof MINI_OPENCLAW_BUNDLE !== 'undefined';

/**
 * Which build runs: the binary's main entry (`Bun.main`) sits under /$bunfs/; the bundle says so at build time;
 * anything else (the sources, tests, benches) runs from the TypeScript files.
 */
export function runningBuild(main: string = Bun.main, inBundle: boolean = IN_BUNDLE): RunningBuild {
  if (main.startsWith('/$bunfs/')) return 'binary';
  return inBundle ? 'bundle' : 'sources';
}

/**
 * The URL of a second entry point (the model worker's), `source` being its path below src/. Both builds keep it
 * beside their main entry by that path (the bundle as `.js`); the sources pass its own URL as `inSources`.
 * `import.meta.url` cannot tell the builds apart: a CommonJS build writes the build machine's source path into it
 * (README "Turn cost: tenth round").
 */
export function secondEntry(
  source: string,
  inSources: URL,
  main: string = Bun.main,
  inBundle: boolean = IN_BUNDLE,
): URL {
  switch (runningBuild(main, inBundle)) {
    case 'binary':
      return new URL(`./${source}`, pathToFileURL(main));
    case 'bundle':
      return new URL(`./${source.replace(/\.ts$/, '.js')}`, pathToFileURL(main));
    case 'sources':
      return inSources;
  }
}

/**
 * The path of a file imported `with { type: 'file' }`. The sources and the binary get an absolute one; the bundle
 * gets `./name-hash.ext`, relative to its own folder, which the working folder would otherwise resolve.
 */
export function assetPath(imported: string, main: string = Bun.main): string {
  return isAbsolute(imported) ? imported : resolve(dirname(main), imported);
}
