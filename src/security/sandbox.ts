// The tool process sandbox: which way of starting bubblewrap works here (probed once), and the spawn plan per call.
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureAreaOwner } from './area-owner';
import { MINIMAL_PATH } from './env-scrub';
import { SANDBOX_AREAS, sandboxArgs, type SandboxLimits, type SandboxTools, type SandboxVariant } from './sandbox-args';

export { SANDBOX_AREAS, type SandboxLimits, type SandboxVariant } from './sandbox-args';

/** What the probe found: the way the sandbox starts, or why none works. */
export interface SandboxStatus {
  available: boolean;
  /** `stage`, `drop` or `direct` (see SandboxVariant), null when unavailable. */
  start: SandboxVariant['start'] | null;
  /** Whether sandboxed processes get their own /proc (not inside most containers). */
  proc: boolean;
  /** Why no sandbox can start (first failure of the best candidate), null when available. */
  reason: string | null;
}

export interface SandboxRequest {
  /** The agent folder: its areas are mounted, and it is the working folder. */
  agentRoot: string;
  allowNetwork: boolean;
  env: Record<string, string>;
  limits: SandboxLimits;
}

/** How to spawn one sandboxed call: the argv, and the identity to spawn it as (when the spawn itself drops root). */
export interface SpawnPlan {
  argv: string[];
  uid?: number;
  gid?: number;
}

export interface Sandbox {
  /** The probe's verdict (run on first use, then cached). */
  status(): SandboxStatus;
  isAvailable(): boolean;
  /** How to run `argv` sandboxed for one agent. Call only when available. */
  plan(argv: string[], request: SandboxRequest): SpawnPlan;
  /** The `prlimit` binary (util-linux), which also limits unsandboxed calls; null when absent. */
  prlimit(): string | null;
}

export interface SandboxOptions {
  /** The bubblewrap binary; `null` means none (tests), default: `bwrap` on the minimal PATH. */
  bwrap?: string | null;
  /** Inside id of sandboxed processes, and their host id when the server runs as root (default 65534, nobody). */
  identity?: { uid: number; gid: number };
  /** Folder the probe creates its scratch agent in: the data folder, so path permissions are the real ones. */
  probeParent?: string;
  /** Host paths no sandbox may see even where they lie inside a folder it shows (the data folder, the .env). */
  hidden?: readonly string[];
  /** The ways to try, best first (default: every way this process can use); tests pin one to exercise it. */
  variants?: SandboxVariant[];
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = {
  maxProcesses: 256,
  maxMemoryBytes: 1024 * 1024 * 1024,
  maxFileBytes: 256 * 1024 * 1024,
  maxCpuSeconds: 120,
  tmpBytes: 64 * 1024 * 1024,
};

const which = (name: string) => Bun.which(name, { PATH: MINIMAL_PATH });

/** The ways to start the sandbox worth trying here, best first. */
function candidates(isRoot: boolean, tools: SandboxTools): SandboxVariant[] {
  const starts: SandboxVariant['start'][] = isRoot
    ? [...(tools.setpriv ? (['stage'] as const) : []), 'drop']
    : ['direct'];
  return starts.flatMap((start) => [
    { start, proc: true, hardened: true },
    { start, proc: false, hardened: true },
    { start, proc: false, hardened: false },
  ]);
}

export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const identity = options.identity ?? { uid: 65534, gid: 65534 };
  const isRoot = process.geteuid?.() === 0;
  const bwrap = options.bwrap === undefined ? which('bwrap') : options.bwrap;
  const prlimit = which('prlimit');
  let verdict: { status: SandboxStatus; variant: SandboxVariant | null; tools: SandboxTools | null } | undefined;

  const spawnPlan = (
    tools: SandboxTools,
    variant: SandboxVariant,
    argv: string[],
    request: SandboxRequest,
  ): SpawnPlan => {
    const areas = SANDBOX_AREAS.filter((area) =>
      lstatSync(join(request.agentRoot, area), { throwIfNoEntry: false })?.isDirectory(),
    );
    if (isRoot) for (const area of areas) ensureAreaOwner(join(request.agentRoot, area), identity.uid, identity.gid);
    const args = sandboxArgs(tools, variant, { ...request, areas, identity, hidden: options.hidden ?? [] }, argv);
    return variant.start === 'drop' ? { argv: args, uid: identity.uid, gid: identity.gid } : { argv: args };
  };

  /** Runs a real call (write a file in an area) with each candidate until one works. */
  const probe = () => {
    if (!bwrap) return { status: unavailable('bubblewrap (bwrap) is not installed'), variant: null, tools: null };
    if (!prlimit) return { status: unavailable('prlimit (util-linux) is not installed'), variant: null, tools: null };
    const tools: SandboxTools = { bwrap, prlimit, setpriv: which('setpriv'), choom: which('choom') };
    // Made as agent folders are (mkdir under the umask, not mkdtemp's 0700), in the folder they live in.
    const scratch = join(
      options.probeParent ?? tmpdir(),
      `.sandbox-probe-${process.pid}-${randomBytes(4).toString('hex')}`,
    );
    const written = join(scratch, 'workspace', 'probe');
    try {
      mkdirSync(join(scratch, 'workspace'), { recursive: true });
    } catch (error) {
      // A data folder that takes no writes (read-only, full) says nothing about bubblewrap: try again on the next call.
      const code = (error as { code?: string }).code ?? String(error);
      return {
        status: unavailable(
          `the sandbox could not be tried: ${options.probeParent ?? tmpdir()} takes no writes (${code})`,
        ),
        variant: null,
        tools: null,
        retry: true,
      };
    }
    let reason: string | null = null;
    try {
      for (const variant of options.variants ?? candidates(isRoot, tools)) {
        const request = {
          agentRoot: scratch,
          allowNetwork: false,
          env: { PATH: MINIMAL_PATH },
          limits: DEFAULT_SANDBOX_LIMITS,
        };
        const plan = spawnPlan(tools, variant, ['/bin/sh', '-c', 'echo sandboxed > workspace/probe'], request);
        const result = Bun.spawnSync(plan.argv, {
          uid: plan.uid,
          gid: plan.gid,
          stdout: 'ignore',
          stderr: 'pipe',
          timeout: 10_000,
        });
        const wrote = existsSync(written) && readFileSync(written, 'utf8').trim() === 'sandboxed';
        if (result.exitCode === 0 && wrote)
          return {
            status: { available: true, start: variant.start, proc: variant.proc, reason: null },
            variant,
            tools,
          };
        reason ??= result.stderr.toString().trim().split('\n').pop() || `exit code ${result.exitCode}`;
      }
    } finally {
      try {
        rmSync(scratch, { recursive: true, force: true });
      } catch {
        // A scratch folder left behind is harmless: it is hidden, and no agent id can start with a dot.
      }
    }
    return { status: unavailable(`bubblewrap cannot start a sandbox here: ${reason}`), variant: null, tools: null };
  };

  const current = () => {
    if (verdict) return verdict;
    const found = probe();
    if (!('retry' in found)) verdict = found;
    return found;
  };
  return {
    status: () => current().status,
    isAvailable: () => current().status.available,
    prlimit: () => prlimit,
    plan(argv, request) {
      const { variant, tools } = current();
      // Programming error, not a failure: callers ask isAvailable() first and refuse the call with E_SANDBOX_UNAVAILABLE.
      if (!variant || !tools) throw new Error('the sandbox is not available');
      return spawnPlan(tools, variant, argv, request);
    },
  };
}

function unavailable(reason: string): SandboxStatus {
  return { available: false, start: null, proc: false, reason };
}
