// Compares single binaries (two builds of the server, say): cold start, resident memory after start and the foundation's seven requests (at once and once quiet) and where it sits (/proc/<pid>/smaps by kind); with --model, also what warming adds to a model-configured server at idle. Starts are interleaved, binary by binary.
// Run: node_modules/.bin/bun bench/binaries.bench.ts <binary> [<binary> ...] [--starts 4] [--model]
import { accessSync, constants, readlinkSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { cleanEnv, startBinary, waitForStatus } from '../test/support/compiled-binary';
import { startFakeOpenAiServer } from '../test/support/fake-openai-server';
import { makeTempDir } from '../test/support/temp-dir';
import { parseBenchArgs, refuseArguments } from './bench-args';
import { MAPPING_KINDS, meanByKind, readResidentByKind, type ResidentByKind } from './binaries/smaps';
import { readRssMb, waitUntilQuiet } from './chat/process-cpu';
import { percentile } from './chat/run-report';
import { sendIdleRequests } from './idle-requests';

const USAGE =
  'usage: bun bench/binaries.bench.ts <binary> [<binary> ...] [--starts N (even: each order as often)] [--model]';
const parsed = parseBenchArgs(
  {
    allowPositionals: true,
    options: { starts: { type: 'string', default: '4' }, model: { type: 'boolean', default: false } },
  },
  USAGE,
);
const starts = Number(parsed.values.starts);
const withModel = parsed.values.model;
// `npm run bench` runs from the repository's root: paths are taken from where the command was typed.
const binaries = parsed.positionals.map((path) => resolve(process.env.INIT_CWD ?? process.cwd(), path));
const missing = binaries.filter((path) => !isExecutable(path));
if (binaries.length === 0 || !Number.isInteger(starts) || starts < 1 || missing.length > 0)
  refuseArguments(missing.map((path) => `not an executable file: ${path}`).join('\n'), USAGE);

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

interface Readings {
  coldMs: number[];
  afterRequestsMb: number[];
  quietMb: number[];
  quietByKind: ResidentByKind[];
  warmedMb: number[];
  unwarmedMb: number[];
}
// By position, so a binary given twice (to see the noise between two columns of the same build) keeps two columns.
const readings: Readings[] = binaries.map(() => ({
  coldMs: [],
  afterRequestsMb: [],
  quietMb: [],
  quietByKind: [],
  warmedMb: [],
  unwarmedMb: [],
}));
await using model = withModel ? await startFakeOpenAiServer() : undefined;
const modelEnv: Record<string, string> = model
  ? { LLM_BASE_URL: model.baseUrl, LLM_MODEL: 'gpt-4o-mini', LLM_API_KEY: 'bench-key' }
  : {};
const QUIET = { windowMs: 500, quietMs: 2, timeoutMs: 20_000 };

/** One start of `binary` in an empty folder; `measure` reads it while it runs, then it is stopped. */
async function run(binary: string, env: Record<string, string>, measure: (pid: number, url: string) => Promise<void>) {
  using folder = makeTempDir('binaries-bench-');
  const server = await startBinary(binary, {
    cwd: folder.path,
    args: ['--port', '0'],
    env: cleanEnv({ APP_LOG_LEVEL: 'warn', ...env }),
  });
  try {
    await measure(server.child.pid, server.url);
  } finally {
    const code = await server.stop();
    if (code !== 0) console.warn(`  ${binary} exited with ${code} on SIGTERM: its figures may be off`);
  }
}

for (let start = 0; start < starts; start++) {
  // Rounds alternate the order (A B, then B A): the one started first does not always get the quieter machine.
  const order = binaries.map((_, at) => at);
  if (start % 2 === 1) order.reverse();
  for (const at of order) {
    const binary = binaries[at]!;
    const into = readings[at]!;
    const spawnedAt = performance.now();
    await run(binary, {}, async (pid, url) => {
      await waitForStatus(`${url}/api/health`);
      into.coldMs.push(performance.now() - spawnedAt);
      await sendIdleRequests(url);
      into.afterRequestsMb.push(readRssMb(pid).rss);
      await waitUntilQuiet(pid, QUIET);
      into.quietMb.push(readRssMb(pid).rss);
      into.quietByKind.push(readResidentByKind(pid, readlinkSync(`/proc/${pid}/exe`)));
    });
    if (!withModel) continue;
    const modes: [boolean, number[]][] = [
      [true, into.warmedMb],
      [false, into.unwarmedMb],
    ];
    // The warmed start goes first in one round and second in the next, as the binaries do.
    if (start % 2 === 1) modes.reverse();
    for (const [warm, list] of modes)
      await run(binary, { ...modelEnv, APP_WARM_START: warm ? '1' : '0' }, async (pid) => {
        await waitUntilQuiet(pid, QUIET);
        list.push(readRssMb(pid).rss);
      });
  }
}

const range = (values: number[], digits = 1) =>
  `${percentile(values, 50).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
const rows: [string, (of: Readings) => string][] = [
  ['cold start, spawn to 200 on /api/health, ms', (of) => range(of.coldMs, 0)],
  ['RSS at once after start and 7 requests, MB', (of) => range(of.afterRequestsMb)],
  ['RSS once quiet, MB', (of) => range(of.quietMb)],
  ...MAPPING_KINDS.map((kind): [string, (of: Readings) => string] => [
    `  of which ${kind} (mean), MB`,
    (of) => meanByKind(of.quietByKind)[kind].toFixed(2),
  ]),
  ...(withModel
    ? ([
        ['model configured, warmed, idle RSS, MB', (of) => range(of.warmedMb)],
        ['model configured, APP_WARM_START=0, idle RSS, MB', (of) => range(of.unwarmedMb)],
        [
          'added by warming (p50s), MB',
          (of) => (percentile(of.warmedMb, 50) - percentile(of.unwarmedMb, 50)).toFixed(1),
        ],
      ] as [string, (of: Readings) => string][])
    : []),
];
console.log(`\n${starts} starts of each, interleaved, the order alternating; p50 (min–max)\n`);
console.log(`| measure | ${binaries.map((binary, at) => `${at + 1}: ${binary}`).join(' | ')} |`);
console.log(`| --- |${binaries.map(() => ' --- |').join('')}`);
for (const [label, cell] of rows) console.log(`| ${label} | ${readings.map(cell).join(' | ')} |`);
