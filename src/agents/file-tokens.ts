// Token counts of workspace files for /api/tokens/files: per-file and per-request byte caps, errors per file.
import { statSync } from 'node:fs';
import { readWorkspaceFile, resolveWorkspacePath } from './workspace-files';

/** Bytes one request may tokenise across all its files. */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
const MAX_FILE_BYTES = 5 * 1024 * 1024;

export interface FileTokens {
  path: string;
  tokens: number;
  /** `invalid_path`, `not_found` or `too_large`; the file then counts 0. */
  error?: string;
}

/** Tokens of one workspace file, within what is left of the request's byte budget (which it lowers). */
export async function countFileTokens(
  agentRoot: string,
  path: string,
  budget: { bytes: number },
  countTokens: (text: string) => Promise<number>,
): Promise<FileTokens> {
  let absolute: string;
  try {
    absolute = resolveWorkspacePath(agentRoot, path).absolute;
  } catch {
    // Reported per file: one refused path does not fail the whole count.
    return { path, tokens: 0, error: 'invalid_path' };
  }
  try {
    const stats = statSync(absolute);
    if (!stats.isFile()) return { path, tokens: 0, error: 'not_found' };
    if (stats.size > MAX_FILE_BYTES || stats.size > budget.bytes) return { path, tokens: 0, error: 'too_large' };
    budget.bytes -= stats.size;
  } catch {
    // Reported per file: missing or unreadable.
    return { path, tokens: 0, error: 'not_found' };
  }
  let text: string;
  try {
    text = readWorkspaceFile(agentRoot, path);
  } catch {
    // Reported per file: the guarded read refused it (say, a link swapped in since the stat).
    return { path, tokens: 0, error: 'invalid_path' };
  }
  return { path, tokens: await countTokens(text) };
}
