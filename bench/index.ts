// `npm run bench`: lists the benchmarks in bench/ with what each measures; `npm run bench -- <name> [args]` runs one.
import { benchCommand, formatBenchList, readBenchCatalog } from './bench-catalog';

/** Output streams, so tests can read what the command prints. */
export interface BenchCliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: BenchCliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * Without arguments (or with `--list`), prints the catalogue of `folder` and returns 0. With a bench's
 * name, runs that bench under this Bun with the rest of the arguments and returns its exit code (1 when
 * a signal ended it). An unknown name prints the known ones and returns 2.
 */
export async function runBenchCli(argv: string[], folder: string, io: BenchCliIo = processIo): Promise<number> {
  const entries = readBenchCatalog(folder);
  const [name, ...args] = argv;
  if (name === undefined || name === '--list' || name === '--help' || name === '-h') {
    io.out(formatBenchList(entries));
    return 0;
  }
  const entry = entries.find((candidate) => candidate.name === name);
  if (!entry) {
    io.err(`unknown bench '${name}'; the benches are: ${entries.map((candidate) => candidate.name).join(', ')}\n`);
    return 2;
  }
  const child = Bun.spawn(benchCommand(entry, args), { stdio: ['inherit', 'inherit', 'inherit'] });
  const code = await child.exited;
  return child.signalCode ? 1 : code;
}

if (import.meta.main) process.exit(await runBenchCli(Bun.argv.slice(2), import.meta.dir));
