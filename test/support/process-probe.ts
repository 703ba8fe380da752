// Host-side process checks for sandbox tests: is a process with this command line still alive?
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** PIDs whose command line contains `marker` (zombies excluded: they are dead, only not yet reaped). */
export function livePidsWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (!cmdline.includes(marker)) continue;
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (state !== 'Z') pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** PIDs whose command line is exactly `command` (bubblewrap's own processes carry it inside longer command lines). */
export function pidsRunningExactly(command: string): number[] {
  return livePidsWith(command).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim() === command;
    } catch {
      return false; // Ended while we looked.
    }
  });
}

/** Files under `folder` that process `pid` (this one by default) holds open, from its /proc fd links. */
export function openFilesUnder(folder: string, pid: number | 'self' = 'self'): string[] {
  const prefix = folder.endsWith('/') ? folder : `${folder}/`;
  return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      return target.startsWith(prefix) ? [target] : [];
    } catch {
      return []; // Closed while we looked.
    }
  });
}

/** Polls `probe` until it returns true or the deadline passes. */
export async function waitUntil(probe: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (probe()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return probe();
}

/** SIGKILLs each of `pids` that is still there (killing one can take the others with it, say a PID namespace's first process). */
export function killEach(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** Every live process descended from `root` (children, grandchildren, … through any namespace), read from /proc. */
export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue;
      const list = children.get(Number(parent)) ?? [];
      list.push(Number(entry));
      children.set(Number(parent), list);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const visit = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(root);
  return found;
}

/** The descendants of `root` whose command line is exactly `command`. */
export function descendantsRunning(root: number, command: string): number[] {
  return descendantsOf(root).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim() === command;
    } catch {
      return false;
    }
  });
}
