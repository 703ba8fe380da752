// Where a process's resident memory sits, from /proc/<pid>/smaps: summed by the kind of mapping it is in.
import { readFileSync } from 'node:fs';

/** The kinds of mapping a server's memory is counted under. */
export const MAPPING_KINDS = [
  'anonymous',
  'executable code',
  'executable read-only',
  'executable read-write',
  'other files',
  'stack',
] as const;
export type MappingKind = (typeof MAPPING_KINDS)[number];

/** Resident MB per kind of mapping. */
export type ResidentByKind = Record<MappingKind, number>;

const HEADER = /^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ \S+\s*(.*)$/;
const RSS = /^Rss:\s+(\d+) kB/;

/**
 * The kind of one mapping: its pages are the executable's own, another file's (shared libraries, SQLite files), the
 * main thread's stack, or anonymous (the heaps, JIT code, other threads' stacks, [vdso], everything malloc hands out).
 * The executable's pages are told apart by permission: code (the runtime's machine code), read-only (the runtime's
 * constant data), read-write (in a single executable built by Bun, where its `.bun` section sits: the bundled
 * JavaScript, its bytecode and embedded files, beside the runtime's own writable data).
 */
export function kindOf(permissions: string, path: string, executable: string): MappingKind {
  if (path === executable) {
    if (permissions.includes('x')) return 'executable code';
    return permissions.includes('w') ? 'executable read-write' : 'executable read-only';
  }
  if (path.startsWith('[stack')) return 'stack';
  if (path === '' || path.startsWith('[')) return 'anonymous';
  return 'other files';
}

/** Sums an smaps text's resident kB by kind, in MB; `executable` is the path the process runs (its /proc/<pid>/exe). */
export function residentByKind(smaps: string, executable: string): ResidentByKind {
  const sums = Object.fromEntries(MAPPING_KINDS.map((kind) => [kind, 0])) as ResidentByKind;
  let kind: MappingKind = 'anonymous';
  for (const line of smaps.split('\n')) {
    const header = HEADER.exec(line);
    if (header) {
      kind = kindOf(header[1]!, header[2]!.trim(), executable);
      continue;
    }
    const rss = RSS.exec(line);
    if (rss) sums[kind] += Number(rss[1]) / 1024;
  }
  return sums;
}

/** The running process's memory by kind. */
export function readResidentByKind(pid: number, executable: string): ResidentByKind {
  return residentByKind(readFileSync(`/proc/${pid}/smaps`, 'utf8'), executable);
}

/** The mean of several readings, kind by kind. */
export function meanByKind(readings: ResidentByKind[]): ResidentByKind {
  const mean = Object.fromEntries(MAPPING_KINDS.map((kind) => [kind, 0])) as ResidentByKind;
  for (const reading of readings) for (const kind of MAPPING_KINDS) mean[kind] += reading[kind] / readings.length;
  return mean;
}
