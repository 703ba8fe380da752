// Tools benchmark: the cost of the bubblewrap sandbox on one `true`, plus one whole terminal call through the runner.
// Run: node_modules/.bin/bun bench/tools.bench.ts
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MINIMAL_PATH, scrubEnvironment } from '../src/security/env-scrub';
import { createSandbox } from '../src/security/sandbox';
import { runProcess } from '../src/tools/run-process';
import { createToolHarness } from '../test/support/tool-harness';
import { makeTempDir } from '../test/support/temp-dir';

const RUNS = 100;
const WARMUP = 10;
const TARGET_ADDED_MS = 20;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};
const ms = (value: number) => `${value.toFixed(2)} ms`;

async function time(label: string, run: () => Promise<unknown>): Promise<number[]> {
  for (let index = 0; index < WARMUP; index++) await run();
  const samples: number[] = [];
  for (let index = 0; index < RUNS; index++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  console.log(`  ${label}: p50 ${ms(percentile(samples, 50))}, p95 ${ms(percentile(samples, 95))}`);
  return samples;
}

const sandbox = createSandbox();
if (!sandbox.isAvailable()) {
  console.log('bubblewrap is not available: nothing to compare');
  process.exit(0);
}
using temp = makeTempDir('moc-bench-tools-');
const root = join(temp.path, 'agent');
mkdirSync(join(root, 'storage'), { recursive: true });
const env = scrubEnvironment({}, { home: root });
const base = { cwd: root, env, timeoutMs: 10_000, keepBytes: 10_000 };
const trueBinary = Bun.which('true', { PATH: MINIMAL_PATH })!;

console.log(`tools benchmark: ${RUNS} runs each after ${WARMUP} warm-up runs`);
const plain = await time('unsandboxed `true` (Bun.spawn, own process group)', () => runProcess({ ...base, argv: [trueBinary] }));
const boxed = await time('sandboxed `true` (bwrap, all namespaces)', () => runProcess({ ...base, env: {}, argv: sandbox.wrap([trueBinary], { root, allowNetwork: false, env }) }));
const added = percentile(boxed, 50) - percentile(plain, 50);
console.log(`  added by the sandbox (p50 difference): ${ms(added)}  (target <= ${TARGET_ADDED_MS} ms: ${added <= TARGET_ADDED_MS ? 'met' : 'MISSED'})`);

using harness = createToolHarness();
let index = 0;
await time('terminal tool call `true` through registry + runner + audit (sandboxed)', () => harness.call('terminal', { command: 'true' }, { runId: `bench-${index++}` }));
using off = createToolHarness({ config: { tool_sandbox: { mode: 'off' } } });
await time('terminal tool call `true`, tool_sandbox.mode off', () => off.call('terminal', { command: 'true' }, { runId: `bench-${index++}` }));
rmSync(root, { recursive: true, force: true });
