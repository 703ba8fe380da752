// Where the running build keeps files of its own: the single binary under /$bunfs/root/, the bundle `npm start` runs
// (scripts/bundle.ts) beside its main.js, the sources where they are.
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What the process runs: the compiled binary, the bytecode bundle of `npm start`, or the TypeScript sources. */
export type RunningBuild = 'binary' | 'bundle' | 'sources';

/**
 * Which build `main` (Bun.main at run time) belongs to. The binary's entry sits under /$bunfs/; the bundle's is
 * `main.js`; the sources (and tests, and benches) start from a `.ts` file.
 */
export function runningBuild(main: string = Bun.main): RunningBuild {
  if (main.startsWith('/$bunfs/')) return 'binary';
  return main.endsWith('.js') ? 'bundle' : 'sources';
}

/**
 * The URL of a second entry point (the model worker's), `source` being its path below src/. Both builds keep it
 * beside their main entry by that path (the bundle as `.js`); the sources pass its own URL as `inSources`.
 * `import.meta.url` cannot tell the builds apart: a CommonJS build writes the build machine's source path into it
 * (README "Turn cost: tenth round").
 */
export function secondEntry(source: string, inSources: URL, main: string = Bun.main): URL {
  switch (runningBuild(main)) {
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
