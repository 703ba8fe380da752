// The bubblewrap sandbox for tool processes: read-only system, writable agent folder, private /tmp, no network.
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_PROTECTED_ENTRIES } from './path-guard';

export interface SandboxOptions {
  /** The agent folder: bound read-write and used as working folder. */
  root: string;
  allowNetwork: boolean;
  env: Record<string, string>;
}

export interface Sandbox {
  /** Whether bubblewrap exists and can start a sandbox here (probed once, then cached). */
  isAvailable(): boolean;
  /** The argv that runs `argv` inside the sandbox. Call only when available. */
  wrap(argv: string[], options: SandboxOptions): string[];
}

const SYSTEM_LINKS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64'];
/** The few /etc entries programs need (dynamic linker, users, time zone, certificates); nothing else of /etc. */
const ETC_ENTRIES = ['/etc/alternatives', '/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/passwd', '/etc/group', '/etc/nsswitch.conf', '/etc/localtime', '/etc/ssl', '/etc/ca-certificates', '/etc/mime.types'];
const NETWORK_ETC = ['/etc/resolv.conf', '/etc/hosts', '/etc/gai.conf'];

/** Builds the bubblewrap argument list (exported for tests and the benchmark). */
export function bubblewrapArgs(bwrap: string, argv: string[], options: SandboxOptions): string[] {
  const args = [bwrap, '--ro-bind', '/usr', '/usr'];
  for (const path of SYSTEM_LINKS) {
    try {
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(path), path);
      else if (stat.isDirectory()) args.push('--ro-bind', path, path);
    } catch {
      // Absent on this system.
    }
  }
  for (const path of [...ETC_ENTRIES, ...(options.allowNetwork ? NETWORK_ETC : [])]) {
    if (existsSync(path)) args.push('--ro-bind', path, path);
  }
  args.push('--tmpfs', '/tmp', '--proc', '/proc', '--dev', '/dev');
  args.push('--bind', options.root, options.root);
  // The agent may edit its files, not its own audit trail, database or config (which holds its tool policy).
  for (const guarded of AGENT_PROTECTED_ENTRIES) {
    const path = join(options.root, guarded);
    if (existsSync(path)) args.push('--ro-bind', path, path);
  }
  args.push('--chdir', options.root, '--unshare-all');
  if (options.allowNetwork) args.push('--share-net');
  args.push('--die-with-parent', '--new-session', '--cap-drop', 'ALL', '--hostname', 'sandbox', '--clearenv');
  for (const [name, value] of Object.entries(options.env)) args.push('--setenv', name, value);
  args.push('--', ...argv);
  return args;
}

/** A sandbox backed by the `bwrap` found on PATH (or the given path); `null` path means none. */
export function createSandbox(bwrapPath: string | null = Bun.which('bwrap')): Sandbox {
  let available: boolean | undefined;
  return {
    isAvailable() {
      if (available !== undefined) return available;
      if (!bwrapPath) return (available = false);
      try {
        const probe = Bun.spawnSync(bubblewrapArgs(bwrapPath, ['/usr/bin/true'], { root: '/tmp', allowNetwork: false, env: {} }), {
          stdout: 'ignore',
          stderr: 'ignore',
          timeout: 5000,
        });
        available = probe.exitCode === 0;
      } catch {
        available = false;
      }
      return available;
    },
    wrap: (argv, options) => bubblewrapArgs(bwrapPath ?? 'bwrap', argv, options),
  };
}
