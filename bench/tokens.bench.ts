// Token counting (o200k_base): what the first count costs a process (time, resident memory), how fast text is
// counted, and a long whitespace run, for the server's counter (`countTokens`) against js-tiktoken's own encoder
// (the counter until 2026-12-07). Each measure runs in a fresh process of its own.
// Run: node_modules/.bin/bun --smol bench/tokens.bench.ts [--rounds N]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dir, '..');
const WAYS = ['server', 'js-tiktoken'] as const;
type Way = (typeof WAYS)[number];
const MIB = 1024 * 1024;

interface Measured {
  firstCountMs: number;
  addedRssMib: number;
  readmeMs: number;
  readmeChars: number;
  spacesMs: number;
}

/** Loads the way's counter (module imported, nothing built yet), then measures it. Runs inside a child. */
async function measure(way: Way): Promise<Measured> {
  const count =
    way === 'server'
      ? (await import('../src/chat/token-counter')).countTokens
      : await (async () => {
          const { Tiktoken } = await import('js-tiktoken/lite');
          const ranks = (await import('js-tiktoken/ranks/o200k_base')).default;
          let encoder: InstanceType<typeof Tiktoken> | null = null;
          return (text: string) => (encoder ??= new Tiktoken(ranks)).encode(text, 'all').length;
        })();
  Bun.gc(true);
  const rssBefore = process.memoryUsage().rss;
  let started = performance.now();
  count('Hello, world.');
  const firstCountMs = performance.now() - started;
  Bun.gc(true);
  const addedRssMib = (process.memoryUsage().rss - rssBefore) / MIB;
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  started = performance.now();
  count(readme);
  const readmeMs = performance.now() - started;
  started = performance.now();
  count(`x${' '.repeat(3000)}y`);
  const spacesMs = performance.now() - started;
  return { firstCountMs, addedRssMib, readmeMs, readmeChars: readme.length, spacesMs };
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  console.log(JSON.stringify(await measure(process.argv[childAt + 1] as Way)));
  process.exit(0);
}

const roundsAt = process.argv.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(process.argv[roundsAt + 1]) : 3;
const results = new Map<Way, Measured[]>(WAYS.map((way) => [way, []]));
for (let round = 0; round < rounds; round++)
  for (const way of WAYS) {
    const child = Bun.spawnSync([process.execPath, '--smol', import.meta.path, '--child', way], { stderr: 'inherit' });
    if (child.exitCode !== 0) throw new Error(`the ${way} child failed (${child.exitCode})`);
    results.get(way)!.push(JSON.parse(child.stdout.toString().trim().split('\n').at(-1)!) as Measured);
  }

const span = (values: number[], digits: number) => {
  const low = Math.min(...values).toFixed(digits);
  const high = Math.max(...values).toFixed(digits);
  return low === high ? low : `${low}–${high}`;
};
console.log(`token counting, ${rounds} fresh processes each (bun --smol)\n`);
console.log('| measure | server (`countTokens`) | js-tiktoken encoder |');
console.log('| --- | --- | --- |');
const rows: [string, (of: Measured) => number, number][] = [
  ['first count (builds the vocabulary), ms', (of) => of.firstCountMs, 1],
  ['resident memory added by it, MiB', (of) => of.addedRssMib, 1],
  ['README.md next, ms', (of) => of.readmeMs, 1],
  ['one word after 3,000 spaces, ms', (of) => of.spacesMs, 1],
];
for (const [label, read, digits] of rows)
  console.log(
    `| ${label} | ${span(results.get('server')!.map(read), digits)} | ${span(results.get('js-tiktoken')!.map(read), digits)} |`,
  );
console.log(`\nREADME.md: ${results.get('server')![0]!.readmeChars.toLocaleString('en')} characters`);
