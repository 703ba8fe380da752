// The files API's view of an agent folder: which areas are readable and writable, and the index.
import { lstatSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readGuardedBytes, writeGuardedFile } from '../security';
import { guardPath, checkPathSyntax, recheckGuardedPath, type GuardedPath } from '../security';
import { AppError, notFound } from '../shared/app-error';
import { isRealFolder, walkRealFiles } from '../shared/walk-files';
import { refreshSkillsSnapshot } from './workspace-seeder';

export const FILE_AREAS = ['workspace/', 'memory/', 'skills/', 'knowledge/'] as const;
export const SKILLS_SNAPSHOT = 'SKILLS_SNAPSHOT.md';
const INDEX_AREAS = ['workspace', 'memory', 'knowledge'];
const INDEX_EXTENSIONS = new Set(['.md', '.txt', '.json', '.yaml', '.yml', '.toml', '.csv', '.html']);
const INDEX_LIMIT = 1000;

export type FileChangeListener = (agentRoot: string, relativePath: string) => void;

function isInArea(relative: string): boolean {
  return (
    relative === SKILLS_SNAPSHOT ||
    FILE_AREAS.some((area) => relative.startsWith(area) && relative.length > area.length)
  );
}

/**
 * Resolves a files-API path inside `agentRoot`. Allowed: `SKILLS_SNAPSHOT.md` and paths under
 * workspace/, memory/, skills/, knowledge/ — also after symlinks are followed, so a link into
 * storage/ or out of the folder is refused. Throws 403 `forbidden_path`.
 */
export function resolveWorkspacePath(agentRoot: string, rawPath: string): GuardedPath {
  const path = rawPath.trim();
  checkPathSyntax(path);
  const normalized = path.replace(/^(\.\/)+/, '').replace(/\/{2,}/g, '/');
  if (!isInArea(normalized)) throw new AppError('forbidden_path', 'Path prefix is not allowed', { path });
  let guarded: GuardedPath;
  try {
    guarded = guardPath(agentRoot, normalized);
  } catch (error) {
    // Report the path as the client sent it (trimmed), not our normalised spelling.
    if (error instanceof AppError) throw new AppError(error.code, error.message, { ...error.details, path });
    throw error;
  }
  if (!isInArea(guarded.relative)) {
    throw new AppError('forbidden_path', 'Path escapes workspace root', {
      path,
      reason: 'Path resolves outside the allowed areas',
    });
  }
  return guarded;
}

/** Files larger than this are not read through the files API (knowledge files are searched, not shown whole). */
const MAX_READ_BYTES = 64 * 1024 * 1024;

/** Reads a text file (invalid UTF-8 replaced). 404 `not_found` for a missing file or a folder. */
export function readWorkspaceFile(agentRoot: string, rawPath: string): string {
  const guarded = resolveWorkspacePath(agentRoot, rawPath);
  const { absolute } = guarded;
  let isFile = false;
  try {
    isFile = statSync(absolute).isFile();
  } catch {
    // Missing (or not reachable): the same 404 as a folder, below.
  }
  if (!isFile) throw notFound('File not found', { path: rawPath });
  recheckGuardedPath(agentRoot, guarded);
  return new TextDecoder('utf-8').decode(readGuardedBytes(absolute, rawPath, MAX_READ_BYTES));
}

/** Writes a file atomically and tells `listeners`; refreshes the skills snapshot after a skills change. */
export function writeWorkspaceFile(
  agentRoot: string,
  rawPath: string,
  content: string,
  listeners: Iterable<FileChangeListener> = [],
): void {
  const guarded = resolveWorkspacePath(agentRoot, rawPath);
  const { absolute, relative } = guarded;
  // A name ending in a slash names a folder too (it would be written as the file without it).
  let isFolder = /[/\\]\s*$/.test(rawPath);
  try {
    isFolder ||= statSync(absolute).isDirectory();
  } catch {
    // Missing, or under a file: the write below creates it, or says why it cannot.
  }
  if (isFolder) throw new AppError('invalid_request', 'Path is a folder', { path: rawPath });
  recheckGuardedPath(agentRoot, guarded);
  writeGuardedFile(absolute, content, rawPath);
  if (relative.startsWith('skills/')) refreshSkillsSnapshot(agentRoot);
  for (const listener of listeners) listener(agentRoot, relative);
}

/** Text files under workspace/, memory/, knowledge/ (sorted, at most 1000) plus the skills snapshot. */
export function indexWorkspaceFiles(agentRoot: string): string[] {
  const files: string[] = [];
  // An area the agent replaced with a link is not listed (its names could be anywhere on the host).
  for (const area of INDEX_AREAS.filter((name) => isRealFolder(join(agentRoot, name)))) {
    for (const path of walkRealFiles(agentRoot, area)) {
      if (files.length >= INDEX_LIMIT) break;
      if (INDEX_EXTENSIONS.has(path.slice(path.lastIndexOf('.')).toLowerCase())) files.push(path);
    }
  }
  try {
    if (lstatSync(join(agentRoot, SKILLS_SNAPSHOT)).isFile()) files.push(SKILLS_SNAPSHOT);
  } catch {
    // No snapshot yet.
  }
  return [...new Set(files)].sort();
}
