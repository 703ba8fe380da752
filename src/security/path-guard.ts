// The one path guard: turns a user-supplied relative path into an absolute path inside a root, or refuses.
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { AppError } from '../shared/app-error';
import { isTemporaryName, NAME_MAX_BYTES } from '../shared/atomic-write';

export interface GuardedPath {
  /** Absolute path, symlinks resolved, inside the real root. */
  absolute: string;
  /** POSIX path relative to the real root. */
  relative: string;
}

/**
 * Parts of an agent folder no tool may read or write: its database, logs and audit trail, and its own
 * config (which holds its tool policy). The sandbox mounts the same entries read-only.
 */
export const AGENT_PROTECTED_ENTRIES = ['storage', 'config.json'] as const;

/** Whether a guarded path (relative to the agent folder) is one of the protected entries or inside one. */
export function isProtectedAgentPath(relativePath: string): boolean {
  return AGENT_PROTECTED_ENTRIES.some((entry) => relativePath === entry || relativePath.startsWith(`${entry}/`));
}

function refuse(path: string, reason: string): AppError {
  return new AppError('forbidden_path', 'Path escapes workspace root', { path, reason });
}

/** Rejects paths that are unsafe whatever the filesystem holds: empty, NUL, backslash, absolute, `..`. */
export function checkPathSyntax(path: string): void {
  if (path.length === 0) throw refuse(path, 'Path must not be empty');
  if (path.includes('\0')) throw refuse(path, 'Path must not contain NUL bytes');
  if (path.includes('\\')) throw refuse(path, 'Backslashes are not allowed');
  if (isAbsolute(path) || /^[A-Za-z]:/.test(path) || path.startsWith('~'))
    throw refuse(path, 'Absolute paths are not allowed');
  const segments = path.split('/');
  if (segments.some((segment) => segment === '..')) {
    throw refuse(path, "Parent directory traversal '..' is not allowed");
  }
  if (path.length > 1024) throw refuse(path, 'Path is too long');
  if (segments.some((segment) => Buffer.byteLength(segment) > NAME_MAX_BYTES)) {
    throw refuse(path, `A file or folder name is longer than ${NAME_MAX_BYTES} bytes`);
  }
  // Only the server makes such names, so its start-up sweep may delete them (shared/atomic-write.ts).
  if (segments.some(isTemporaryName))
    throw refuse(path, "Names of the form .moc-tmp-<16 hex digits> are reserved for the server's temporary files");
}

function isInside(root: string, target: string): boolean {
  return target === root || target.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Resolves the deepest existing ancestor through the filesystem and re-appends the rest, or null when
 * that ancestor is a dangling symbolic link. Its link text cannot be resolved safely by string
 * arithmetic: `l -> b/missing/..` reads as `b`, while the kernel would follow `b` wherever it points
 * (even `/`) once something makes the link resolve. Such paths are refused, never guessed.
 */
function realTarget(target: string): string | null {
  let existing = target;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    try {
      if (lstatSync(existing).isSymbolicLink()) return null;
    } catch {
      // Not there at all: keep walking up.
    }
    const parent = dirname(existing);
    if (parent === existing) break;
    rest.unshift(existing.slice(parent.length + 1));
    existing = parent;
  }
  const real = realpathSync(existing);
  return rest.length > 0 ? join(real, ...rest) : real;
}

/**
 * Resolves `path` (relative, POSIX) against `root`. Throws 403 `forbidden_path` with a reason when it
 * is syntactically unsafe or, after following symlinks, lands outside the root.
 */
export function guardPath(root: string, path: string): GuardedPath {
  checkPathSyntax(path);
  const realRoot = realpathSync(root);
  const absolute = realTarget(resolve(realRoot, path));
  if (absolute === null) throw refuse(path, 'Dangling symbolic links are not followed');
  if (!isInside(realRoot, absolute)) throw refuse(path, `Path escapes workspace root: ${path}`);
  return { absolute, relative: relative(realRoot, absolute).split(sep).join('/') };
}

/**
 * Checks again, right before the file is opened, that `guarded` still resolves to itself: a link
 * swapped in since the guard ran (a concurrent tool call) is refused instead of followed.
 */
export function recheckGuardedPath(root: string, guarded: GuardedPath): void {
  const again = realTarget(resolve(realpathSync(root), guarded.relative));
  if (again !== guarded.absolute) throw refuse(guarded.relative, 'Path changed while it was being used');
}

/**
 * After opening: the open file must be exactly the path the guard resolved (Linux `/proc/self/fd`).
 * A folder or link swapped in between the guard and the open (even one that stays inside the root,
 * or leads to a protected entry) makes the two differ. Elsewhere the re-check above stands.
 */
export function assertOpenedAt(fd: number, expectedAbsolute: string, path: string): void {
  let opened: string;
  try {
    opened = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    // No /proc to ask (not Linux): the re-check before the open stands alone.
    return;
  }
  if (opened !== expectedAbsolute) throw refuse(path, 'Path changed while it was being used');
}
