// What of the host a sandbox sees: read-only system folders and /etc entries, with the server's own paths hidden.
import { existsSync, lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';

/** Links into /usr on a merged-/usr system, folders of their own elsewhere: either is shown as it is. */
const SYSTEM_LINKS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64'];
/** The few /etc entries programs need (dynamic linker, users, time zone, certificates); nothing else of /etc. */
const ETC_ENTRIES = [
  '/etc/alternatives',
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/passwd',
  '/etc/group',
  '/etc/nsswitch.conf',
  '/etc/localtime',
  '/etc/ssl',
  '/etc/ca-certificates',
  '/etc/mime.types',
];
const NETWORK_ETC = ['/etc/resolv.conf', '/etc/hosts', '/etc/gai.conf'];

/** bwrap options showing `/usr`, the /bin and /lib links or folders and the few /etc entries (network ones when allowed), read-only. */
export function systemMounts(allowNetwork: boolean): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const path of SYSTEM_LINKS) {
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink()) args.push('--symlink', readlinkSync(path), path);
    else if (stat?.isDirectory()) args.push('--ro-bind', path, path);
  }
  for (const path of [...ETC_ENTRIES, ...(allowNetwork ? NETWORK_ETC : [])]) {
    if (existsSync(path)) args.push('--ro-bind', path, path);
  }
  return args;
}

/** The host folders and files `systemMounts` shows, each with everything under it. */
export function visibleRoots(mounts: readonly string[]): string[] {
  return mounts.flatMap((arg, index) => (arg === '--ro-bind' ? [mounts[index + 2]!] : []));
}

/**
 * Mounts that keep `hidden` paths out of view where they lie inside a folder the sandbox shows: a server
 * installed under /usr/local had its .env, global config and every agent's files readable in the sandbox.
 * A folder becomes an empty tmpfs (read-only once the agent folder is mounted inside it), a file reads empty.
 */
export function hiddenMounts(
  hidden: readonly string[],
  roots: readonly string[],
): { args: string[]; folders: string[] } {
  const args: string[] = [];
  const folders: string[] = [];
  const isUnder = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);
  for (const path of hidden) {
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      continue; // Not there: nothing to hide.
    }
    if (!roots.some((root) => isUnder(real, root)) || folders.some((folder) => isUnder(real, folder))) continue;
    if (statSync(real).isDirectory()) {
      args.push('--perms', '0755', '--tmpfs', real);
      folders.push(real);
    } else args.push('--ro-bind', '/dev/null', real);
  }
  return { args, folders };
}
