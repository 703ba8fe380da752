// The tool process sandbox: which way of starting bubblewrap works here (probed once), and the spawn plan per call.
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { ensureAreaOwner } from './area-owner';
import { within } from '../shared/event-loop';
import { MINIMAL_PATH } from './env-scrub';
import { SANDBOX_AREAS, sandboxArgs, type SandboxLimits, type SandboxTools, type SandboxVariant } from './sandbox-args';
import {
  probeInBackground,
  probeNow,
  which,
  type ProbeResult,
  type ProbeSetup,
  type SandboxStatus,
  type SpawnPlan,
} from './sandbox-probe';

export { SANDBOX_AREAS, type SandboxLimits, type SandboxVariant } from './sandbox-args';
export { PROBE_STOPPED, type SandboxStatus, type SpawnPlan } from './sandbox-probe';

export interface SandboxRequest {
  /** The agent folder: its areas are mounted, and it is the working folder. */
  agentRoot: string;
  allowNetwork: boolean;
  env: Record<string, string>;
  limits: SandboxLimits;
}

export interface Sandbox {
  /** The probe's verdict (run on first use, then cached; this thread waits on the probe's calls). */
  status(): SandboxStatus;
  isAvailable(): boolean;
  /**
   * Why the sandbox is unavailable for now only: the latest probe could not try (the data folder took no writes,
   * or the probe was stopped), so the next use probes again. Null once a verdict is kept, or before any probe.
   */
  retryReason(): string | null;
  /** The verdict, the probe run (once) with this thread free meanwhile: what start-up and readiness ask. */
  probed(): Promise<SandboxStatus>;
  /** Stops a probe `probed()` is running (its call killed, its scratch agent removed) and waits for it to end. */
  stopProbe(): Promise<void>;
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

export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const identity = options.identity ?? { uid: 65534, gid: 65534 };
  const isRoot = process.geteuid?.() === 0;
  const bwrap = options.bwrap === undefined ? which('bwrap') : options.bwrap;
  const prlimit = which('prlimit');
  let verdict: ProbeResult | undefined;

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

  const setup: ProbeSetup = {
    bwrap,
    prlimit,
    isRoot,
    parent: options.probeParent,
    variants: options.variants,
    plan: (tools, variant, argv, agentRoot) =>
      spawnPlan(tools, variant, argv, {
        agentRoot,
        allowNetwork: false,
        env: { PATH: MINIMAL_PATH },
        limits: DEFAULT_SANDBOX_LIMITS,
      }),
  };
  let latest: ProbeResult | undefined;
  const settle = (found: ProbeResult): ProbeResult => {
    if (!('retry' in found)) verdict ??= found;
    latest = verdict ?? found;
    return latest;
  };
  const current = () => verdict ?? settle(probeNow(setup));
  let probing: { done: Promise<SandboxStatus>; stop: AbortController } | null = null;
  const probed = () => {
    if (verdict) return Promise.resolve(verdict.status);
    if (!probing) {
      const stop = new AbortController();
      const done = probeInBackground(setup, stop.signal)
        .then((found) => settle(found).status)
        .finally(() => {
          probing = null;
        });
      probing = { done, stop };
    }
    return probing.done;
  };
  return {
    status: () => current().status,
    isAvailable: () => current().status.available,
    retryReason: () => (verdict || !latest ? null : latest.status.reason),
    probed,
    async stopProbe() {
      const running = probing;
      if (!running) return;
      running.stop.abort();
      await running.done.catch(() => undefined);
    },
    prlimit: () => prlimit,
    plan(argv, request) {
      const { variant, tools } = current();
      // Programming error, not a failure: callers ask isAvailable() first and refuse the call with E_SANDBOX_UNAVAILABLE.
      if (!variant || !tools) throw new Error('the sandbox is not available');
      return spawnPlan(tools, variant, argv, request);
    },
  };
}

/**
 * The verdict if the probe gives one within `waitMs`, else that it is still running (a bubblewrap that hangs takes
 * up to 10 s a way): what readiness reports, so a monitor's request is never held longer. A probe that fails says so.
 */
export async function statusWithin(sandbox: Pick<Sandbox, 'probed'>, waitMs: number): Promise<SandboxStatus> {
  const running: SandboxStatus = {
    available: false,
    start: null,
    proc: false,
    reason: 'the sandbox probe is still running',
  };
  return within(
    sandbox.probed().catch((error: unknown) => ({ ...running, reason: `the sandbox probe failed: ${String(error)}` })),
    waitMs,
    running,
  );
}
