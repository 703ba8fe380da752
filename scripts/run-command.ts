// Other processes, for the scripts and the test support alike: a command run to its end with what it printed (never
// throwing on a non-zero exit), and whether a process is still there.

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  cwd?: string;
  /** The child's whole environment (default: this process's). */
  env?: Record<string, string | undefined>;
  uid?: number;
  gid?: number;
}

/** Runs `cmd` with no stdin and resolves once it has exited and both its outputs have ended. */
export async function runCommand(cmd: string[], options: CommandOptions = {}): Promise<CommandResult> {
  const child = Bun.spawn({ cmd, ...options, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' });
  const [code, stdout, stderr] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { code, stdout, stderr };
}

/** Whether process `pid` exists (one of another user's, which this process may not signal, counts). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
