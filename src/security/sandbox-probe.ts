// Which way of starting bubblewrap works here: a real call tried with each candidate way, this thread waiting or free.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killProcessGroup } from '../shared/process-group';
import { MINIMAL_PATH } from './env-scrub';
import type { SandboxTools, SandboxVariant } from './sandbox-args';

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

/** How to spawn one sandboxed call: the argv, and the identity to spawn it as (when the spawn itself drops root). */
export interface SpawnPlan {
  argv: string[];
  uid?: number;
  gid?: number;
}

/** What a probe needs: the binaries, who runs it, where its scratch agent goes, and how a call is planned. */
export interface ProbeSetup {
  bwrap: string | null;
  prlimit: string | null;
  isRoot: boolean;
  /** Folder the scratch agent is made in (default: the system's temporary folder). */
  parent?: string;
  /** The ways to try, best first (default: every way this process can use). */
  variants?: SandboxVariant[];
  /** How `argv` runs sandboxed, this way, in the agent folder `agentRoot`. */
  plan(tools: SandboxTools, variant: SandboxVariant, argv: string[], agentRoot: string): SpawnPlan;
}

/** `name` on the minimal PATH sandboxed calls get, or null. */
export const which = (name: string) => Bun.which(name, { PATH: MINIMAL_PATH });

/**
 * What the probe found; `retry` when it could not try (the data folder took no writes, see probeSteps, or it was
 * stopped), so the next use tries again.
 */
export interface ProbeResult {
  status: SandboxStatus;
  variant: SandboxVariant | null;
  tools: SandboxTools | null;
  retry?: true;
}

/** How one of the probe's calls ended. */
interface ProbeCall {
  exitCode: number | null;
  stderr: string;
}

/**
 * The name the probe's scratch agent starts with, in the folder agents live in: hidden, and no agent id starts with a
 * dot. One left by a server killed while probing is removed at a later start (agent-registry.ts).
 */
export const PROBE_FOLDER_PREFIX = '.sandbox-probe-';

/** How long one of the probe's calls may take before it is killed (bubblewrap that hangs). */
const CALL_TIMEOUT_MS = 10_000;

/** How long a call's error output is waited for once the call has ended (a process it left could hold the pipe). */
const STDERR_GRACE_MS = 250;

/** Why a probe that was stopped (the server stopping) gave no verdict. */
export const PROBE_STOPPED = 'the sandbox probe was stopped';

/** What the probe was left with when it was stopped: no verdict, the next use tries again. */
const STOPPED: ProbeResult = Object.freeze({
  status: Object.freeze({ available: false, start: null, proc: false, reason: PROBE_STOPPED }),
  variant: null,
  tools: null,
  retry: true,
});

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

/**
 * Runs a real call (write a file in an area) with each candidate until one works: yields each candidate's spawn
 * plan, is given how that call ended, and returns the verdict. `probeNow` and `probeInBackground` run the calls.
 */
function* probeSteps(setup: ProbeSetup): Generator<SpawnPlan, ProbeResult, ProbeCall> {
  const { bwrap, prlimit } = setup;
  if (!bwrap) return { status: unavailable('bubblewrap (bwrap) is not installed'), variant: null, tools: null };
  if (!prlimit) return { status: unavailable('prlimit (util-linux) is not installed'), variant: null, tools: null };
  const tools: SandboxTools = { bwrap, prlimit, setpriv: which('setpriv'), choom: which('choom') };
  // Made as agent folders are (mkdir under the umask, not mkdtemp's 0700), in the folder they live in.
  const scratch = join(
    setup.parent ?? tmpdir(),
    `${PROBE_FOLDER_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  const written = join(scratch, 'workspace', 'probe');
  // A data folder that takes no writes (read-only, full, failing) says nothing about bubblewrap: try again on the
  // next call. Asked before the calls (tmpfs makes a folder on a full disk, then refuses its first file) and after
  // each failed one, whose write inside the sandbox may have been refused by the disk, not by bubblewrap.
  const notTried = (code: string): ProbeResult => ({
    status: unavailable(`the sandbox could not be tried: ${setup.parent ?? tmpdir()} takes no writes (${code})`),
    variant: null,
    tools: null,
    retry: true,
  });
  try {
    mkdirSync(join(scratch, 'workspace'), { recursive: true });
  } catch (error) {
    return notTried((error as { code?: string }).code ?? String(error));
  }
  let reason: string | null = null;
  try {
    const refused = writeRefusal(join(scratch, 'space'));
    if (refused) return notTried(refused);
    for (const variant of setup.variants ?? candidates(setup.isRoot, tools)) {
      const result = yield setup.plan(tools, variant, ['/bin/sh', '-c', 'echo sandboxed > workspace/probe'], scratch);
      const wrote = existsSync(written) && readFileSync(written, 'utf8').trim() === 'sandboxed';
      if (result.exitCode === 0 && wrote)
        return {
          status: { available: true, start: variant.start, proc: variant.proc, reason: null },
          variant,
          tools,
        };
      const refusedSince = writeRefusal(join(scratch, 'space'));
      if (refusedSince) return notTried(refusedSince);
      reason ??= result.stderr.trim().split('\n').pop() || `exit code ${result.exitCode}`;
    }
  } finally {
    try {
      rmSync(scratch, { recursive: true, force: true });
    } catch {
      // A scratch folder left behind is harmless: it is hidden, and no agent id can start with a dot.
    }
  }
  return { status: unavailable(`bubblewrap cannot start a sandbox here: ${reason}`), variant: null, tools: null };
}

/** Why `path` (a scratch file, removed again) cannot be written, as the error's code, or null when it can. */
function writeRefusal(path: string): string | null {
  try {
    // The size of the probe's own write, so a disk with room for nothing more refuses it here too.
    writeFileSync(path, 'sandboxed\n', { flush: true });
    rmSync(path);
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** A call that could not even start (bubblewrap gone, not executable) is a failed call: the verdict says why. */
const notStarted = (plan: SpawnPlan, error: unknown): ProbeCall => ({
  exitCode: null,
  stderr: `cannot start ${plan.argv[0]}: ${String(error)}`,
});

/** One call, this thread waiting on it. */
function callNow(plan: SpawnPlan): ProbeCall {
  try {
    const result = Bun.spawnSync(plan.argv, {
      uid: plan.uid,
      gid: plan.gid,
      timeout: CALL_TIMEOUT_MS,
      stdout: 'ignore',
      stderr: 'pipe',
    });
    return { exitCode: result.exitCode, stderr: result.stderr.toString() };
  } catch (error) {
    return notStarted(plan, error);
  }
}

/**
 * One call with this thread free meanwhile, in a process group of its own that is killed whole (SIGKILL) when
 * `signal` aborts, when the call times out and once it has exited: bubblewrap killed alone while it sets up can
 * leave a child of its own blocked for good (not yet under its parent-death signal), root and reparented to init.
 */
async function callInBackground(plan: SpawnPlan, signal: AbortSignal): Promise<ProbeCall> {
  let child: Bun.Subprocess<'ignore', 'ignore', 'pipe'>;
  try {
    child = Bun.spawn(plan.argv, { uid: plan.uid, gid: plan.gid, stdout: 'ignore', stderr: 'pipe', detached: true });
  } catch (error) {
    return notStarted(plan, error);
  }
  const killGroup = () => killProcessGroup(child.pid);
  const timer = setTimeout(killGroup, CALL_TIMEOUT_MS);
  // The caller starts no call once `signal` has aborted.
  signal.addEventListener('abort', killGroup, { once: true });
  try {
    const stderr = new Response(child.stderr).text().catch(() => '');
    const exitCode = await child.exited;
    killGroup();
    return { exitCode, stderr: await Promise.race([stderr, Bun.sleep(STDERR_GRACE_MS).then(() => '')]) };
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', killGroup);
  }
}

/** The probe's calls one after the other, this thread waiting on each (what a first use before the verdict does). */
export function probeNow(setup: ProbeSetup): ProbeResult {
  const steps = probeSteps(setup);
  let step = steps.next();
  while (!step.done) step = steps.next(callNow(step.value));
  return step.value;
}

/**
 * The same calls with this thread free while each runs (at start-up: 10-17 ms of bubblewrap here). Once `signal`
 * aborts, the call running is killed and the probe ends without a verdict, its scratch agent removed.
 */
export async function probeInBackground(setup: ProbeSetup, signal: AbortSignal): Promise<ProbeResult> {
  const steps = probeSteps(setup);
  let step = steps.next();
  while (!step.done) {
    const call = signal.aborted ? null : await callInBackground(step.value, signal);
    if (!call || signal.aborted) {
      steps.return(STOPPED);
      return STOPPED;
    }
    step = steps.next(call);
  }
  return step.value;
}

function unavailable(reason: string): SandboxStatus {
  return { available: false, start: null, proc: false, reason };
}
