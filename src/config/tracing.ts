// The LangSmith tracing switch: precedence of the three variables, persisted to .env, applied to LangChain.
import { AppError } from '../shared/app-error';
import { NotRegularFileError } from '../shared/regular-file';
import { fileFaultError } from '../shared/storage-fault';
import { rewriteOperatorFile } from './operator-file';

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);
export const TRACING_KEY = 'OBS_TRACING_ENABLED';

/** The first of OBS_TRACING_ENABLED, LANGSMITH_TRACING, LANGCHAIN_TRACING_V2 with a recognised value decides; else off. */
export function isTracingEnabled(env: Record<string, string | undefined>): boolean {
  for (const name of [TRACING_KEY, 'LANGSMITH_TRACING', 'LANGCHAIN_TRACING_V2']) {
    const value = env[name]?.trim().toLowerCase();
    if (value && TRUE.has(value)) return true;
    if (value && FALSE.has(value)) return false;
  }
  return false;
}

/** Sets `KEY=value` in .env text: replaces the first assignment, drops later duplicates, appends when absent. */
export function setDotenvValue(text: string, key: string, value: string): string {
  const lines = text.length > 0 ? text.replace(/\n$/, '').split('\n') : [];
  const assignment = new RegExp(`^\\s*(export\\s+)?${key}\\s*=`);
  let replaced = false;
  const result: string[] = [];
  for (const line of lines) {
    if (!line.trim().startsWith('#') && assignment.test(line)) {
      if (!replaced) result.push(`${key}=${value}`);
      replaced = true;
      continue;
    }
    result.push(line);
  }
  if (!replaced) {
    if (result.length > 0 && result[result.length - 1]!.trim() === '') result.pop();
    result.push(`${key}=${value}`);
  }
  return `${result.join('\n')}\n`;
}

export interface TracingControl {
  enabled(): boolean;
  /**
   * Persists the switch to .env and applies it to this process, so LangChain's own env checks follow it. The
   * file keeps its mode and owner; a link is written through to its target. Throws 503 `storage_unavailable`
   * (507 `insufficient_storage` when the disk is full) naming `.env` when it cannot be written; the switch is then unchanged.
   */
  set(enabled: boolean): boolean;
}

/** The error a client gets when .env cannot be read or rewritten; `error` itself when it is no file-system failure. */
function envFileError(error: unknown): unknown {
  // Already said for a client (a link into a missing folder).
  if (error instanceof AppError) return error;
  const fault = fileFaultError(error, '.env');
  if (fault) return fault;
  if (error instanceof NotRegularFileError)
    return new AppError(
      'storage_unavailable',
      'Cannot write .env: it is not a regular file',
      { reason: 'not_regular_file', file: '.env' },
      { cause: error },
    );
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return error;
  // ENOTDIR or ELOOP: a broken chain of links.
  return new AppError(
    'storage_unavailable',
    `Cannot write .env (${code})`,
    { reason: 'file_error', file: '.env' },
    {
      cause: error,
    },
  );
}

export function createTracingControl(env: Record<string, string | undefined>, envFilePath: string): TracingControl {
  const apply = (enabled: boolean) => {
    env[TRACING_KEY] = String(enabled);
    // LangChain reads these itself; an explicit off must silence it too.
    env.LANGSMITH_TRACING = String(enabled);
    env.LANGCHAIN_TRACING_V2 = String(enabled);
  };
  apply(isTracingEnabled(env));
  return {
    enabled: () => isTracingEnabled(env),
    set(enabled) {
      try {
        // The operator may have linked it (the sandbox never sees .env), and start-up reads through the link.
        rewriteOperatorFile(envFilePath, '.env', (current) => setDotenvValue(current, TRACING_KEY, String(enabled)));
      } catch (error) {
        throw envFileError(error);
      }
      apply(enabled);
      return enabled;
    },
  };
}
