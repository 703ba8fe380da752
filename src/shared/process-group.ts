// Ending a process together with everything it started: a detached spawn leads a process group of its own.

/** SIGKILL to the process group led by `pid` (spawned with `detached: true`); nothing when it is gone already. */
export function killProcessGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}
