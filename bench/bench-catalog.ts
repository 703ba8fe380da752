// The benchmarks in bench/ as a catalogue: each *.bench.ts file's name, its header's description and its Run line.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const BENCH_SUFFIX = '.bench.ts';

/** One benchmark file, described by its own header comment. */
export interface BenchEntry {
  /** The file name without `.bench.ts` (`chat` for bench/chat.bench.ts). */
  name: string;
  /** Absolute path of the file. */
  file: string;
  /** The header's comment lines before its `Run:` line, joined into one line. */
  description: string;
  /** Bun's own flags the Run line puts before the file (`--smol`), so the bench runs as documented. */
  runtimeFlags: string[];
  /** What the Run line shows after the file: the bench's arguments and notes, or ''. */
  usage: string;
}

/** Reads the leading `//` comment lines of a file (the header), without their `//`. */
function headerLines(text: string): string[] {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^\/\/ ?(.*)$/.exec(line);
    if (!match) break;
    lines.push(match[1]!.trim());
  }
  return lines;
}

/** Splits a header into its description and the command its `Run:` line shows (null without one). */
function parseHeader(fileName: string, lines: string[]): { description: string; run: string | null } {
  const runAt = lines.findIndex((line) => line.startsWith('Run:'));
  const described = runAt < 0 ? lines : lines.slice(0, runAt);
  return {
    description: described.join(' ').replace(/\s+/g, ' ').trim() || `(no description in ${fileName})`,
    run: runAt < 0 ? null : lines[runAt]!.slice('Run:'.length).trim(),
  };
}

/** Runtime flags and usage from a Run line such as `node_modules/.bin/bun --smol bench/x.bench.ts [--n N]`. */
function parseRunLine(fileName: string, run: string | null): { runtimeFlags: string[]; usage: string } {
  if (run === null) return { runtimeFlags: [], usage: '' };
  const words = run.split(/\s+/);
  const fileAt = words.findIndex((word) => word.endsWith(`/${fileName}`) || word === fileName);
  if (fileAt < 0) return { runtimeFlags: [], usage: '' };
  return {
    runtimeFlags: words.slice(0, fileAt).filter((word) => word.startsWith('--')),
    usage: words.slice(fileAt + 1).join(' '),
  };
}

/** Every `*.bench.ts` file directly in `folder`, by name. */
export function readBenchCatalog(folder: string): BenchEntry[] {
  return readdirSync(folder)
    .filter((fileName) => fileName.endsWith(BENCH_SUFFIX))
    .map((fileName) => {
      const file = join(folder, fileName);
      const { description, run } = parseHeader(fileName, headerLines(readFileSync(file, 'utf8')));
      return { name: fileName.slice(0, -BENCH_SUFFIX.length), file, description, ...parseRunLine(fileName, run) };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The command that runs `entry` with `args` under this Bun, with the runtime flags its Run line asks for. */
export function benchCommand(entry: BenchEntry, args: string[]): string[] {
  return [process.execPath, ...entry.runtimeFlags, entry.file, ...args];
}

/** The listing `npm run bench` prints: a bench's name and description on one line, the command to run it below. */
export function formatBenchList(entries: BenchEntry[]): string {
  const width = Math.max(0, ...entries.map((entry) => entry.name.length));
  const lines = ['Benchmarks in bench/ (run one with `npm run bench -- <name> [arguments]`):', ''];
  for (const entry of entries) {
    lines.push(`  ${entry.name.padEnd(width)}  ${entry.description}`);
    // A note in parentheses stands apart from the command, as in the file's Run line.
    const usage = entry.usage ? `${entry.usage.startsWith('(') ? '   ' : ' '}${entry.usage}` : '';
    lines.push(`  ${' '.repeat(width)}  npm run bench -- ${entry.name}${usage}`);
  }
  return `${lines.join('\n')}\n`;
}
