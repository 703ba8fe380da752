// The request body's key walk (`pathsWhere`, run on every parsed JSON body for `__proto__` keys and lone
// surrogates): how long it holds the thread for bodies of many small items, as a 1 MiB or 5 MiB request may hold.
// Run: node_modules/.bin/bun bench/json-body-walk.bench.ts [--rounds N]
import { pathsWhere } from '../src/shared/json-paths';

const argAt = process.argv.indexOf('--rounds');
const rounds = argAt > 0 ? Number(process.argv[argAt + 1]) : 5;
const UNSAFE = new Set(['__proto__', 'constructor', 'prototype']);

const bodies = {
  'array of 500,000 numbers (1 MiB)': { x: new Array(500_000).fill(1) },
  'array of 2,000,000 numbers (4 MiB)': { content: 'text', items: new Array(2_000_000).fill(0) },
  '100,000 objects of 3 keys': { rows: Array.from({ length: 100_000 }, (_, i) => ({ a: i, b: 'x', c: [i] })) },
};

console.log(`pathsWhere, ${rounds} rounds each (median and worst, ms)`);
for (const [name, body] of Object.entries(bodies)) {
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    const found = pathsWhere(body, (key) => UNSAFE.has(key));
    times.push(performance.now() - started);
    if (found.length > 0) throw new Error('a clean body reported unsafe keys');
  }
  times.sort((a, b) => a - b);
  console.log(`${name}: ${times[times.length >> 1]!.toFixed(1)} / ${times.at(-1)!.toFixed(1)}`);
}
