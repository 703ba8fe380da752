// Chat benchmarks: what the server adds to a turn and what a turn costs in CPU, sequential, back to back, first after start, in bursts.
// Run: node_modules/.bin/bun bench/chat.bench.ts [--repeat N] [--cases a,b] [--profile] [--wait-quiet PERCENT]
//   Every case runs its own server process (`bun --smol src/main.ts serve`; `--smol` as `npm start` and the binary run);
//   the fake model runs in a child process on loopback; the clients run here. --repeat runs every case N times,
//   interleaved, and ends with the range of each figure. --profile adds Bun's CPU profiler (--cpu-prof-md, plus the
//   raw .cpuprofile) to every server and writes, per case, where the main thread's time went in each phase of a turn,
//   under bench/out/profiles/<time>/ (git-ignored); profiled timings are inflated by the profiler. Before each case
//   the bench reports the load average and how busy the machine was over one second with nothing of ours running;
//   --wait-quiet P first waits (up to 10 minutes) for a second in which the machine was at most P % busy.
//   BENCH_MAIN=/path/to/src/main.ts runs another copy of the code; BENCH_BUN_FLAGS replaces `--smol`; BENCH_SERVER_ENV=A=1,B=2 adds variables;
//   BENCH_BINARY=dist/mini-openclaw runs the built executable instead of the sources.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { burstCase } from './chat/burst-cases';
import { eventBufferCase } from './chat/event-buffer-case';
import type { BenchCase, ProfiledServer } from './chat/case-kit';
import { startFakeModelChild } from './chat/fake-model-child';
import { breakerOpenCase } from './chat/fallback-case';
import { firstTurnCase } from './chat/first-turn-case';
import { idleCase } from './chat/idle-case';
import { writeWindowReport } from './chat/profile-window';
import { machineBusyPercent, readLoadAvg } from './chat/process-cpu';
import { BenchReport } from './chat/run-report';
import { backToBackCase, steadyCase } from './chat/turn-cases';

const FIRST_TOKEN_P50 = { 'added to first token p50': '≤ 10 ms' };
const CASES: Record<string, BenchCase> = {
  // The old bench's first case: 100 sequential turns of a 4-token reply.
  short: steadyCase('short', 4, 100, { targets: FIRST_TOKEN_P50 }),
  'steady-200': steadyCase('steady-200', 200, 60, {
    targets: { ...FIRST_TOKEN_P50, 'added to first token p90': '≤ 20 ms' },
  }),
  // Diagnostics beside steady-200: the same turns without a title call (each session's second turn), and with
  // 1 ms between tokens, so that the server waits on the model between tokens and sends each one as it comes.
  'second-turn-200': steadyCase('second-turn-200', 200, 60, { secondTurn: true }),
  'paced-200': steadyCase('paced-200', 200, 20, { tokenDelayMs: 1 }),
  // Also the old bench's second case (time added to a 1,000-token reply: "added to done").
  'steady-1000': steadyCase('steady-1000', 1000, 30),
  'back-to-back-200': backToBackCase('back-to-back-200', 200, 60),
  'back-to-back-1000': backToBackCase('back-to-back-1000', 1000, 40, FIRST_TOKEN_P50),
  'first-turn': firstTurnCase('first-turn', 200, 5, 'steady-200'),
  // Idle memory, settled after start, with and without warming at start (APP_WARM_START).
  'idle-rss': idleCase('idle-rss', 3),
  'burst-50': burstCase('burst-50', 50, 0, { 'added to first token p99': '≤ 100 ms' }),
  // Diagnostic beside burst-50: the same burst once JavaScriptCore's compilers have settled (300 turns before it
  // instead of 30; until then its JIT threads spend about as much CPU per turn as the main thread).
  'burst-50-settled': burstCase('burst-50-settled', 50, 0, {}, 300),
  'burst-200': burstCase('burst-200', 200, 0, {
    'added to whole reply p99': '≤ 150 ms',
    'server peak RSS (VmHWM)': '≤ 300 MB',
  }),
  // In-process: what run event ids and the replay buffer (issue 15) add between an event and its SSE bytes.
  'event-ids': eventBufferCase('event-ids', 2000),
  // Model routing (issue 16): first token with the primary down and its breaker open, beside a healthy primary.
  'breaker-open': breakerOpenCase('breaker-open', 200, 60),
  // The old bench's third case: the same 200 streams arriving 4 ms apart.
  'spread-200': burstCase('spread-200', 200, 4, { 'added to whole reply p99': '≤ 100 ms' }),
};

const QUIET_WAIT_MS = 10 * 60_000;

const argument = (flag: string) => {
  const at = process.argv.indexOf(flag);
  return at < 0 ? undefined : process.argv[at + 1];
};
const repeat = Number(argument('--repeat') ?? 1);
const quietPercent = argument('--wait-quiet') === undefined ? undefined : Number(argument('--wait-quiet'));
const chosen = (argument('--cases') ?? Object.keys(CASES).join(',')).split(',').filter(Boolean);
const unknown = chosen.filter((name) => !CASES[name]);
if (unknown.length > 0 || !(repeat >= 1) || (quietPercent !== undefined && !(quietPercent > 0))) {
  console.error(
    `usage: bun bench/chat.bench.ts [--repeat N] [--cases ${Object.keys(CASES).join(',')}] [--profile] [--wait-quiet PERCENT]`,
  );
  process.exit(2);
}
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const outDir = join(import.meta.dir, 'out');
const profileRoot = process.argv.includes('--profile') ? join(outDir, 'profiles', stamp) : undefined;

/** How busy the machine was, with nothing of ours running, after waiting for a quiet second when asked to. */
async function othersBusyPercent(): Promise<number> {
  const deadline = performance.now() + QUIET_WAIT_MS;
  let busy = await machineBusyPercent();
  while (quietPercent !== undefined && busy > quietPercent && performance.now() < deadline)
    busy = await machineBusyPercent();
  if (quietPercent !== undefined && busy > quietPercent)
    console.log(
      `  the machine stayed above ${quietPercent} % busy for ${QUIET_WAIT_MS / 60_000} minutes; measuring anyway`,
    );
  return busy;
}

/** Keeps each server's windows beside its profile, then reports where its time went (bench/chat-profile-report.ts can redo this). */
function analyseProfiles(dir: string, servers: ProfiledServer[]): void {
  for (const server of servers) {
    writeFileSync(join(dir, `${server.name}.windows.json`), JSON.stringify(server.windows));
    for (const cost of writeWindowReport(dir, server.name)) {
      const areas = [...cost.byArea.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);
      console.log(
        `  profile, ${cost.label}: ${(cost.sampledMs / cost.count).toFixed(2)} ms/turn sampled; ${areas.map(([area, ms]) => `${area} ${(ms / cost.count).toFixed(2)}`).join(', ')}`,
      );
    }
  }
}

const machine = `${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Bun ${Bun.version}, ${process.platform}/${process.arch}`;
console.log(`machine: ${machine}; load average at start: ${readLoadAvg()}`);
const model = await startFakeModelChild();
const report = new BenchReport();
try {
  for (let run = 1; run <= repeat; run++) {
    for (const name of chosen) {
      console.log(`\n${name}, run ${run}/${repeat}${profileRoot ? ' (profiled: timings inflated)' : ''}`);
      report.add(name, 'machine busy with other work just before (% of all cores)', await othersBusyPercent(), '%');
      report.add(name, 'machine load at start (1-min loadavg)', Number(readLoadAvg().split(' ')[0]), '');
      const profileDir = profileRoot ? join(profileRoot, `run-${run}`) : undefined;
      const servers = await CASES[name]!({ model, report, profileDir, runTag: `${name}#${run}` });
      report.add(name, 'machine load at end (1-min loadavg)', Number(readLoadAvg().split(' ')[0]), '');
      if (profileDir) analyseProfiles(profileDir, servers);
    }
    // CPU per token at the margin: what 800 more words cost a turn, over the two steady cases of this run.
    const [short, long] = ['steady-200', 'steady-1000'].map((name) =>
      report.values(name, 'CPU per turn p50 (main thread)').at(-1),
    );
    if (
      short !== undefined &&
      long !== undefined &&
      report.values('steady-1000', 'CPU per turn p50 (main thread)').length === run
    ) {
      console.log('\nderived');
      report.add(
        'derived',
        'CPU per streamed token at the margin ((steady-1000 − steady-200) ÷ 800, main thread)',
        ((long - short) / 800) * 1000,
        'µs',
      );
    }
  }
} finally {
  await model.stop();
}

const summary = `# Chat bench, ${stamp}\n\nmachine: ${machine}; load average at the end: ${readLoadAvg()}; runs: ${repeat}\n\n${report.summary()}\n`;
console.log(`\n${summary}`);
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, `chat-${stamp}${profileRoot ? '-profiled' : ''}.md`), summary);
if (profileRoot) console.log(`profiles: ${profileRoot}`);
