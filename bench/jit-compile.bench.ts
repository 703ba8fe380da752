// What JavaScriptCore's compilers do while a server is young: the server (sources, or BENCH_BINARY) runs with BUN_JSC_reportCompileTimes=1 through a number of turns (200-word replies, a new session each); its compile log is summed by tier, by window of turns and by function, beside the CPU per turn of its threads.
// Run: node_modules/.bin/bun bench/jit-compile.bench.ts [--turns 300] [--window 50] [--top 15]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBenchArgs, refuseArguments } from './bench-args';
import { startBenchServer } from './chat/bench-server';
import { wordsReply } from './chat/case-kit';
import { startFakeModelChild } from './chat/fake-model-child';
import { cpuMsBetween, readCpu, waitUntilQuiet } from './chat/process-cpu';

/** One line of JavaScriptCore's compile report: `Optimized name#hash:[…] using DFG with DFG into 2816 bytes in 1.34 ms.` */
export interface Compilation {
  /** `name#hash` (the hash tells functions of one name apart; an anonymous function has only the hash). */
  name: string;
  tier: string;
  ms: number;
}

const LINE = /^Optimized ([^:\n]*):\[.*\] using (\w+) .* in ([\d.]+) ms/;

/** The compilations a stretch of the report names, in order; other lines (the server's own warnings) are skipped. */
export function parseCompileReport(text: string): Compilation[] {
  const compilations: Compilation[] = [];
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (match) compilations.push({ name: match[1]!, tier: match[2]!, ms: Number(match[3]) });
  }
  return compilations;
}

/** Count and milliseconds per tier, in the order tiers first appear. */
export function byTier(compilations: Compilation[]): Map<string, { count: number; ms: number }> {
  const tiers = new Map<string, { count: number; ms: number }>();
  for (const { tier, ms } of compilations) {
    const sum = tiers.get(tier) ?? { count: 0, ms: 0 };
    sum.count += 1;
    sum.ms += ms;
    tiers.set(tier, sum);
  }
  return tiers;
}

/** Functions by compile time, most first: total milliseconds, and how many compilations of each tier. */
export function byFunction(compilations: Compilation[]): { name: string; ms: number; tiers: Map<string, number> }[] {
  const functions = new Map<string, { name: string; ms: number; tiers: Map<string, number> }>();
  for (const { name, tier, ms } of compilations) {
    const sum = functions.get(name) ?? { name, ms: 0, tiers: new Map<string, number>() };
    sum.ms += ms;
    sum.tiers.set(tier, (sum.tiers.get(tier) ?? 0) + 1);
    functions.set(name, sum);
  }
  return [...functions.values()].sort((a, b) => b.ms - a.ms);
}

/** The bench's options (`--turns 300 --window 50 --top 15`); an unknown flag or a value that is not a positive whole number exits 2. */
function readOptions(): { turns: number; window: number; top: number } {
  const usage = 'usage: bun bench/jit-compile.bench.ts [--turns 300] [--window 50] [--top 15]';
  const { values } = parseBenchArgs(
    {
      options: {
        turns: { type: 'string', default: '300' },
        window: { type: 'string', default: '50' },
        top: { type: 'string', default: '15' },
      },
    },
    usage,
  );
  const whole = (flag: string, text: string) => {
    const value = Number(text);
    return Number.isInteger(value) && value > 0
      ? value
      : refuseArguments(`--${flag} wants a positive whole number, not ${text}`, usage);
  };
  return { turns: whole('turns', values.turns), window: whole('window', values.window), top: whole('top', values.top) };
}

const tierCells = (compilations: Compilation[]) => {
  const tiers = byTier(compilations);
  return ['Baseline', 'DFG', 'FTL']
    .map((tier) => tiers.get(tier) ?? { count: 0, ms: 0 })
    .map(({ count, ms }) => `${count} / ${ms.toFixed(0)} ms`);
};

async function main(): Promise<void> {
  const { turns, window, top } = readOptions();
  const model = await startFakeModelChild();
  await model.setReply(wordsReply(200));
  const server = await startBenchServer(model, undefined, { env: { BUN_JSC_reportCompileTimes: '1' } });
  const lines = [`# JIT compile log, ${new Date().toISOString()}`, '', `${turns} turns, windows of ${window}.`, ''];
  try {
    await waitUntilQuiet(server.pid);
    const atStart = parseCompileReport(server.stderr());
    lines.push('| turns | CPU per turn: all threads / server thread / compiler threads | Baseline | DFG | FTL |');
    lines.push('| --- | --- | --- | --- | --- |');
    lines.push(`| start and warming | | ${tierCells(atStart).join(' | ')} |`);
    let seen = atStart.length;
    for (let from = 0; from < turns; from += window) {
      const count = Math.min(window, turns - from);
      const before = readCpu(server.pid);
      for (let turn = from; turn < from + count; turn++) {
        const timing = await server.chat(await server.newSession(), `compile log turn ${turn}`);
        if (!timing.ok) throw new Error(`turn ${turn} failed`);
      }
      const cpu = cpuMsBetween(before, readCpu(server.pid));
      const all = parseCompileReport(server.stderr());
      const cells = [cpu.allMs, cpu.mainMs, cpu.jitMs].map((ms) => (ms / count).toFixed(1)).join(' / ');
      lines.push(`| ${from + 1}–${from + count} | ${cells} ms | ${tierCells(all.slice(seen)).join(' | ')} |`);
      seen = all.length;
    }
    const afterStart = parseCompileReport(server.stderr()).slice(atStart.length);
    lines.push('', `Functions by compile time over the turns (top ${top}):`, '');
    lines.push('| function | compile time | compilations by tier |', '| --- | ---: | --- |');
    for (const fn of byFunction(afterStart).slice(0, top)) {
      const tiers = [...fn.tiers].map(([tier, n]) => `${tier} ${n}`).join(', ');
      lines.push(`| \`${fn.name}\` | ${fn.ms.toFixed(1)} ms | ${tiers} |`);
    }
  } finally {
    await server.stop();
    await model.stop();
  }
  const report = `${lines.join('\n')}\n`;
  console.log(report);
  const outDir = join(import.meta.dir, 'out');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `jit-compile-${new Date().toISOString().replace(/[:.]/g, '-')}.md`), report);
}

if (import.meta.main) await main();
