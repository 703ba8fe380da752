// Which files feed each retrieval domain: memory/*.md and text files under knowledge/; binaries and links skipped.
import { lstatSync, realpathSync } from 'node:fs';
import { extname, join } from 'node:path';
import { readGuardedBytes } from '../security';
import { timeSlices } from '../shared/event-loop';
import { isRealFolder, walkRealFiles } from '../shared/walk-files';
import type { RetrievalDomain } from './retrieval-search';

export interface DomainFile {
  /** Path relative to the agent folder, with `/` separators. */
  path: string;
  absolute: string;
  size: number;
  mtimeMs: number;
}

const KNOWLEDGE_EXTENSIONS = new Set(['.md', '.markdown', '.txt', '.csv', '.json', '.html', '.htm']);
/** Walking between two returns to the event loop. */
const LISTING_SLICE_MS = 50;
/** Files above this size are not indexed (a runaway log should not stall the indexer). */
export const MAX_INDEXED_FILE_BYTES = 10 * 1024 * 1024;

function isIndexable(domain: RetrievalDomain, name: string): boolean {
  if (name.startsWith('.')) return false;
  const extension = extname(name).toLowerCase();
  return domain === 'memory' ? extension === '.md' : KNOWLEDGE_EXTENSIONS.has(extension);
}

/** True when a domain includes the agent-relative `path` (used to react to file-change notices). */
export function isDomainPath(domain: RetrievalDomain, path: string): boolean {
  const folder = domain === 'memory' ? 'memory/' : 'knowledge/';
  return path.startsWith(folder) && isIndexable(domain, path.slice(path.lastIndexOf('/') + 1));
}

/**
 * Lists the domain's files, sorted by path: `memory/MEMORY.md` and `memory/**\/*.md`, or
 * md/txt/csv/json/html files under `knowledge/`. Symbolic links, hidden files and files over
 * 10 MiB are skipped; a missing folder gives an empty list. Only stats are read here, returning to the event loop
 * every `sliceMs` (50 ms).
 */
export async function listDomainFiles(
  agentRoot: string,
  domain: RetrievalDomain,
  sliceMs = LISTING_SLICE_MS,
): Promise<DomainFile[]> {
  const files: DomainFile[] = [];
  const area = domain === 'memory' ? 'memory' : 'knowledge';
  // The area itself must be a real folder too (a `knowledge` link could name anything on the host).
  if (!isRealFolder(join(agentRoot, area))) return files;
  const slices = timeSlices(sliceMs);
  for (const path of walkRealFiles(agentRoot, area, (name) => name.startsWith('.'))) {
    // A folder of 100,000 files takes seconds to walk: other requests go on between stretches of it.
    if (slices.due) await slices.next();
    if (!isIndexable(domain, path.slice(path.lastIndexOf('/') + 1))) continue;
    const absolute = join(agentRoot, path);
    try {
      const stat = lstatSync(absolute);
      if (stat.isFile() && stat.size <= MAX_INDEXED_FILE_BYTES)
        files.push({ path, absolute, size: stat.size, mtimeMs: stat.mtimeMs });
    } catch {
      // Removed between listing and stat: it simply is not part of this pass.
    }
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Reads a file as UTF-8 text (invalid bytes replaced); null for a binary file (a NUL byte in its first 8 KiB). */
export function readTextFile(agentRoot: string, path: string): string | null {
  // Read through the checked folder, never through a link swapped in since the listing (that would index
  // a file from outside the agent folder and make it searchable).
  const bytes = readGuardedBytes(join(realpathSync(agentRoot), path), path, MAX_INDEXED_FILE_BYTES);
  if (bytes.subarray(0, 8192).includes(0)) return null;
  return new TextDecoder('utf-8').decode(bytes);
}
