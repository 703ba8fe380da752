// The bubblewrap command lines of the sandbox: pure argv builders, one per way of starting it.
import { join } from 'node:path';
import { hiddenMounts, systemMounts, visibleRoots } from './sandbox-mounts';

/** The agent folders a sandbox sees, each mounted writable as a folder. Nothing else of the agent is visible. */
export const SANDBOX_AREAS = ['workspace', 'memory', 'knowledge', 'skills'] as const;

/** Resource limits applied to every process of a sandboxed call (`prlimit`, inherited by children). */
export interface SandboxLimits {
  /** RLIMIT_NPROC: processes (and threads) the call may have at once. */
  maxProcesses: number;
  /** RLIMIT_AS in bytes: address space of each process. */
  maxMemoryBytes: number;
  /** RLIMIT_FSIZE in bytes: largest file a process may write. */
  maxFileBytes: number;
  /** RLIMIT_CPU in seconds of CPU time per process. */
  maxCpuSeconds: number;
  /** Size of the private `/tmp` (tmpfs) in bytes. */
  tmpBytes: number;
}

/** How one sandbox is started, chosen by the start-up probe. */
export interface SandboxVariant {
  /**
   * `stage`: the server is root; a first bwrap (root, mount namespace only) binds the areas under a private
   * `/tmp`, then `setpriv` drops to the sandbox uid and the real sandbox binds them from there (so the sandbox
   * uid need not traverse the operator's folders). `drop`: the server is root but cannot mount; the spawn
   * itself drops to the sandbox uid. `direct`: the server is not root; bwrap runs as the server's uid.
   */
  start: 'stage' | 'drop' | 'direct';
  /** Mount a new /proc for the sandbox's own pid namespace (refused inside most containers). */
  proc: boolean;
  /**
   * Forbid user namespaces inside the sandbox, and name its host `sandbox`. Both need writes a container
   * runtime refuses (`/proc/sys/user`, `sethostname`), so the plainest way goes without them.
   */
  hardened: boolean;
}

export interface SandboxTools {
  bwrap: string;
  prlimit: string;
  setpriv: string | null;
  /** util-linux's `choom`, which makes the sandbox the OOM killer's first choice; skipped when absent. */
  choom: string | null;
}

export interface SandboxCall {
  agentRoot: string;
  /** The areas of `agentRoot` that are real folders (checked by the caller). */
  areas: readonly string[];
  allowNetwork: boolean;
  env: Record<string, string>;
  limits: SandboxLimits;
  /** The unprivileged identity the sandboxed processes have inside (and on the host, when the server is root). */
  identity: { uid: number; gid: number };
  /** Host paths never in view (the data folder, the server's .env), even inside a folder the sandbox shows. */
  hidden: readonly string[];
}

/** Where the `stage` step mounts the areas, inside its own private tmpfs (never visible on the host). */
const STAGE_DIR = '/tmp/moc-areas';

/** `prlimit` options for the limits (soft = hard, so no process can raise them again). */
export function prlimitArgs(prlimit: string, limits: SandboxLimits): string[] {
  const both = (value: number) => `${value}:${value}`;
  return [
    prlimit,
    `--nproc=${both(limits.maxProcesses)}`,
    `--as=${both(limits.maxMemoryBytes)}`,
    `--fsize=${both(limits.maxFileBytes)}`,
    `--cpu=${both(limits.maxCpuSeconds)}`,
    '--core=0:0',
    '--',
  ];
}

/**
 * The sandbox itself (unprivileged bwrap): new user, pid, network, ipc, uts and cgroup namespaces, no
 * capabilities, a new session, read-only `/usr` and a few `/etc` entries, a private size-capped `/tmp`, the
 * areas bound from `sources` under a read-only agent folder, and the command under `prlimit`.
 */
function innerArgs(
  tools: SandboxTools,
  variant: SandboxVariant,
  call: SandboxCall,
  sources: (area: string) => string,
  argv: string[],
): string[] {
  const args = [tools.bwrap, '--unshare-all', '--unshare-user'];
  if (call.allowNetwork) args.push('--share-net');
  if (variant.hardened) args.push('--disable-userns', '--hostname', 'sandbox');
  args.push('--die-with-parent', '--new-session', '--cap-drop', 'ALL');
  args.push('--uid', String(call.identity.uid), '--gid', String(call.identity.gid));
  const mounts = systemMounts(call.allowNetwork);
  args.push(...mounts);
  // bwrap covers /proc/irq and /proc/bus but not /proc/sys, where the sandbox's own namespaces
  // (ipc, net, uts) would stay writable: none of the kernel's settings are the sandbox's to change.
  // The rest of /proc is read-only too: a process could otherwise lower the OOM score it was given.
  if (variant.proc) args.push('--proc', '/proc', '--ro-bind', '/proc/sys', '/proc/sys', '--remount-ro', '/proc');
  // /dev is a tmpfs as large as half the host's memory: read-only, with /dev/shm (POSIX shared memory,
  // semaphores) sized like /tmp, so neither is a way around tmp_size_mb.
  const tmpSize = String(call.limits.tmpBytes);
  args.push(
    '--dev',
    '/dev',
    '--size',
    tmpSize,
    '--tmpfs',
    '/dev/shm',
    '--remount-ro',
    '/dev',
    '--size',
    tmpSize,
    '--tmpfs',
    '/tmp',
  );
  // A data folder under /tmp would put the agent folder inside the writable scratch: give its top folder
  // there a read-only tmpfs of its own, so the path to the agent folder is read-only wherever it lies.
  const scratchTop = /^\/tmp\/[^/]+/.exec(call.agentRoot)?.[0];
  if (scratchTop) args.push('--perms', '0755', '--tmpfs', scratchTop);
  const hide = hiddenMounts(call.hidden, visibleRoots(mounts));
  args.push(...hide.args);
  // The agent folder is an empty read-only tmpfs holding only the areas: its config.json, storage/ and the
  // rest of the data folder are not in view at all (and a rename of a server file cannot uncover them).
  args.push('--perms', '0755', '--tmpfs', call.agentRoot);
  for (const area of call.areas) args.push('--bind', sources(area), join(call.agentRoot, area));
  args.push('--remount-ro', call.agentRoot);
  for (const folder of hide.folders) args.push('--remount-ro', folder);
  if (scratchTop) args.push('--remount-ro', scratchTop);
  args.push('--remount-ro', '/');
  args.push('--chdir', call.agentRoot, '--clearenv');
  for (const [name, value] of Object.entries(call.env)) args.push('--setenv', name, value);
  return [...args, '--', ...prlimitArgs(tools.prlimit, call.limits), ...argv];
}

/**
 * The sandbox's memory is not all bounded by RLIMIT_AS (memfds, tmpfs files, shared memory hold pages no address
 * space counts), and the OOM killer weighs resident size: a tool holding 1.2 GB in memfds got the server killed
 * under a 512 MB limit. Every process of the call is therefore the first to go (score 1000), and keeps that score:
 * its /proc is read-only (or absent), and only /proc can change it.
 */
function preferredByOomKiller(tools: SandboxTools, argv: string[]): string[] {
  return tools.choom ? [tools.choom, '-n', '1000', '--', ...argv] : argv;
}

/** The full argv that runs `argv` in the sandbox started the `variant` way. */
export function sandboxArgs(tools: SandboxTools, variant: SandboxVariant, call: SandboxCall, argv: string[]): string[] {
  if (variant.start !== 'stage')
    return preferredByOomKiller(
      tools,
      innerArgs(tools, variant, call, (area) => join(call.agentRoot, area), argv),
    );
  // Programming error, not a failure: the probe tries the stage start only where it found setpriv.
  if (!tools.setpriv) throw new Error('the stage start needs setpriv');
  // Its own PID namespace ties the sandbox's life to the server's. The parent-death signal that --die-with-parent
  // relies on is not delivered from this root bwrap (it has dropped its capabilities) to the dropped uid, so a
  // server killed with SIGKILL left the sandbox running, orphaned with its areas writable. The kernel kills a
  // PID namespace whole when its first process dies, and that one is root like the bwrap that signals it.
  const stage = [
    tools.bwrap,
    '--unshare-pid',
    '--dev-bind',
    '/',
    '/',
    '--tmpfs',
    '/tmp',
    '--perms',
    '0755',
    '--dir',
    STAGE_DIR,
  ];
  for (const area of call.areas)
    stage.push(
      '--perms',
      '0755',
      '--dir',
      `${STAGE_DIR}/${area}`,
      '--bind',
      join(call.agentRoot, area),
      `${STAGE_DIR}/${area}`,
    );
  stage.push('--die-with-parent', '--');
  const { uid, gid } = call.identity;
  const drop = [
    tools.setpriv,
    `--reuid=${uid}`,
    `--regid=${gid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--',
  ];
  return preferredByOomKiller(tools, [
    ...stage,
    ...drop,
    ...innerArgs(tools, variant, call, (area) => `${STAGE_DIR}/${area}`, argv),
  ]);
}
