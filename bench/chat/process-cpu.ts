// What a process costs, read from /proc: CPU time in nanoseconds (per thread and in all), memory, machine load.
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time a thread has spent on a core, in nanoseconds (the first field of its schedstat). `tid` defaults
 * to `pid`: the main thread, which runs all of a Bun server's JavaScript, HTTP and SQLite work.
 */
export function readThreadCpuNs(pid: number, tid = pid): number {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
}

/** Whether thread `tid` of `pid` is a JavaScriptCore compiler thread (`JITWorker`); false once it ended. */
function isJitThread(pid: number, tid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').startsWith('JIT');
  } catch {
    return false; // The thread ended meanwhile.
  }
}

/** CPU time of all live threads of `pid`, and of its compiler threads when `withJit`, in nanoseconds. */
function readThreadsCpuNs(pid: number, withJit: boolean): { allNs: number; jitNs: number } {
  let allNs = 0;
  let jitNs = 0;
  for (const entry of readdirSync(`/proc/${pid}/task`)) {
    const tid = Number(entry);
    const ns = readThreadCpuNs(pid, tid);
    if (Number.isNaN(ns)) continue;
    allNs += ns;
    if (withJit && isJitThread(pid, tid)) jitNs += ns;
  }
  return { allNs, jitNs };
}

/** CPU time of every live thread of `pid` (main, JIT, garbage collector, thread pool), in nanoseconds. */
export const readProcessCpuNs = (pid: number): number => readThreadsCpuNs(pid, false).allNs;

/** Main-thread, JIT-compiler and whole-process CPU of `pid` at one moment, in nanoseconds. */
export interface CpuReading {
  mainNs: number;
  jitNs: number;
  allNs: number;
}

/** One pass over the threads: the main thread's CPU, the compiler threads', everything's. */
export const readCpu = (pid: number): CpuReading => ({ mainNs: readThreadCpuNs(pid), ...readThreadsCpuNs(pid, true) });

/** Milliseconds of CPU between two readings. */
export const cpuMsBetween = (before: CpuReading, after: CpuReading) => ({
  mainMs: (after.mainNs - before.mainNs) / 1e6,
  jitMs: (after.jitNs - before.jitNs) / 1e6,
  allMs: (after.allNs - before.allNs) / 1e6,
});

/** Resident memory now and at its peak (VmHWM), in MB. */
export function readRssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const read = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
  return { rss: read('VmRSS'), peak: read('VmHWM') };
}

/** The machine's 1-, 5- and 15-minute load averages as /proc/loadavg prints them. */
export const readLoadAvg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** Jiffies the whole machine spent busy and in all, from the first line of /proc/stat. */
function machineJiffies(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** How busy the machine's cores were over the next `windowMs`, in percent of all cores (what others run, when we run nothing). */
export async function machineBusyPercent(windowMs = 1000): Promise<number> {
  const before = machineJiffies();
  await Bun.sleep(windowMs);
  const after = machineJiffies();
  return (100 * (after.busy - before.busy)) / Math.max(1, after.total - before.total);
}

/**
 * Resolves once `pid` has used less than `quietMs` of CPU over a `windowMs` window (start-up indexing and
 * the collection after it are over), or after `timeoutMs`; returns how long it waited.
 */
export async function waitUntilQuiet(
  pid: number,
  { windowMs = 200, quietMs = 2, timeoutMs = 10_000 } = {},
): Promise<number> {
  const started = performance.now();
  let before = readProcessCpuNs(pid);
  while (performance.now() - started < timeoutMs) {
    await Bun.sleep(windowMs);
    const now = readProcessCpuNs(pid);
    if ((now - before) / 1e6 < quietMs) return performance.now() - started;
    before = now;
  }
  return performance.now() - started;
}
