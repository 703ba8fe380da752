// The one path guard: turns a user-supplied relative path into an absolute path inside a root, or refuses.
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { AppError } from '../shared/app-error';

export interface GuardedPath {
  /** Absolute path, symlinks resolved, inside the real root. */
  absolute: string;
  /** POSIX path relative to the real root. */
  relative: string;
}

function refuse(path: string, reason: string): AppError {
  return new AppError('forbidden_path', 'Path escapes workspace root', { path, reason });
}

/** Rejects paths that are unsafe whatever the filesystem holds: empty, NUL, backslash, absolute, `..`. */
export function checkPathSyntax(path: string): void {
  if (path.length === 0) throw refuse(path, 'Path must not be empty');
  if (path.includes('\0')) throw refuse(path, 'Path must not contain NUL bytes');
  if (path.includes('\\')) throw refuse(path, 'Backslashes are not allowed');
  if (isAbsolute(path) || /^[A-Za-z]:/.test(path) || path.startsWith('~')) throw refuse(path, 'Absolute paths are not allowed');
  if (path.split('/').some((segment) => segment === '..')) {
    throw refuse(path, "Parent directory traversal '..' is not allowed");
  }
  if (path.length > 1024) throw refuse(path, 'Path is too long');
}

function isInside(root: string, target: string): boolean {
  return target === root || target.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** Resolves the deepest existing ancestor through symlinks and re-appends the rest. */
function realTarget(target: string): string {
  let existing = target;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    try {
      // A dangling symlink exists as a link but not as a target: resolve what it points to.
      if (lstatSync(existing).isSymbolicLink()) break;
    } catch {
      // Not there at all: keep walking up.
    }
    const parent = dirname(existing);
    if (parent === existing) break;
    rest.unshift(existing.slice(parent.length + 1));
    existing = parent;
  }
  let real: string;
  try {
    real = realpathSync(existing);
  } catch {
    // A dangling symlink: resolve its link text relative to its folder, without following further.
    const linkTarget = readlinkSync(existing);
    real = resolve(dirname(existing), linkTarget);
  }
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
  if (!isInside(realRoot, absolute)) throw refuse(path, `Path escapes workspace root: ${path}`);
  return { absolute, relative: relative(realRoot, absolute).split(sep).join('/') };
}
