// A plain-scan RetrievalSearcher over knowledge/ and memory/: stands in until the retrieval index is merged.
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { RuntimeConfig } from '../config/runtime-config.schema';
import type { RetrievalDomain, RetrievalHit, RetrievalSearcher } from '../retrieval/retrieval-search';

export interface ScanAgent {
  root: string;
  config(): RuntimeConfig;
}

const MAX_FILE_BYTES = 2_000_000;
const MAX_FILES = 2000;

/** Lower-cased word terms of a query (letters and digits of any script), two characters or more, deduplicated. */
export function queryTerms(query: string): string[] {
  return [...new Set(query.toLowerCase().match(/[\p{L}\p{N}_]{2,}/gu) ?? [])];
}

function isText(path: string): boolean {
  const handle = openSync(path, 'r');
  try {
    const probe = Buffer.alloc(4096);
    const read = readSync(handle, probe, 0, probe.length, 0);
    return !probe.subarray(0, read).includes(0);
  } finally {
    closeSync(handle);
  }
}

function listFiles(folder: string, found: string[] = []): string[] {
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (found.length >= MAX_FILES || entry.name.startsWith('.')) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) listFiles(path, found);
    else if (entry.isFile()) found.push(path);
  }
  return found;
}

/** Splits text into passages of about `size` characters on line boundaries, remembering their line span. */
export function passages(text: string, size: number): { text: string; startLine: number; endLine: number }[] {
  const lines = text.replace(/\n+$/, '').split('\n');
  const result: { text: string; startLine: number; endLine: number }[] = [];
  let start = 0;
  while (start < lines.length) {
    let end = start;
    let length = lines[start]!.length;
    while (end + 1 < lines.length && length + lines[end + 1]!.length + 1 <= size) length += lines[++end]!.length + 1;
    const body = lines.slice(start, end + 1).join('\n');
    if (body.trim()) result.push({ text: body, startLine: start + 1, endLine: end + 1 });
    start = end + 1;
  }
  return result;
}

/**
 * Scores a passage: the share of query terms it contains (0..1), plus a small bonus for repeated hits, so a
 * passage with every term beats one that repeats a single term.
 */
export function scorePassage(text: string, terms: string[]): number {
  if (terms.length === 0) return 0;
  const lower = text.toLowerCase();
  let matched = 0;
  let hits = 0;
  for (const term of terms) {
    const count = lower.split(term).length - 1;
    if (count > 0) matched++;
    hits += Math.min(count, 5);
  }
  if (matched === 0) return 0;
  return Number((matched / terms.length + Math.min(hits, terms.length * 5) / (terms.length * 50)).toFixed(4));
}

/** A searcher that reads the files on every query: correct and always fresh, linear in folder size. */
export function createKnowledgeScanSearcher(getAgent: (agentId: string) => ScanAgent): RetrievalSearcher {
  return {
    async search(agentId: string, domain: RetrievalDomain, query: string, topK?: number): Promise<RetrievalHit[]> {
      const agent = getAgent(agentId);
      const settings = agent.config().retrieval[domain];
      const terms = queryTerms(query);
      const folder = join(agent.root, domain);
      const files = listFiles(folder).filter((path) => domain === 'knowledge' || path.endsWith('.md'));
      const hits: RetrievalHit[] = [];
      for (const path of files) {
        if (statSync(path).size > MAX_FILE_BYTES || !isText(path)) continue;
        const source = relative(agent.root, path).split(sep).join('/');
        for (const passage of passages(readFileSync(path, 'utf8'), settings.chunk_size)) {
          const score = scorePassage(passage.text, terms);
          if (score > 0) hits.push({ text: passage.text, score, source, start_line: passage.startLine, end_line: passage.endLine, domain });
        }
      }
      hits.sort((a, b) => b.score - a.score || a.source.localeCompare(b.source) || a.start_line - b.start_line);
      return hits.slice(0, topK ?? settings.top_k);
    },
  };
}
