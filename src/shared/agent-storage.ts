// The files the server keeps in an agent's storage/ folder: one list shared by their writers and the config check.

/** The agent's private folder (never seen by the files API or a tool). */
export const AGENT_STORAGE_FOLDER = 'storage';
/** Sessions, messages, cron jobs and runs, usage, audit rows. */
export const AGENT_DB_FILE = 'agent.db';
/** Append-only operator logs, rotated to `<name>.1`, `<name>.2`, … */
export const TOOL_AUDIT_LOG = 'tool_audit.jsonl';
export const CRON_RUNS_LOG = 'cron_runs.jsonl';
export const CRON_FAILURES_LOG = 'cron_failures.jsonl';
export const HEARTBEAT_RUNS_LOG = 'heartbeat_runs.jsonl';
/** Folders of the original's JSON indexes, imported once into the vector cache. */
export const LEGACY_INDEX_FOLDERS = { memory: 'memory_index', knowledge: 'knowledge_index' } as const;
/** Present while the retrieval index is bulk-built without syncing (see retrieval/agent-index.ts). */
export const BULK_BUILD_SUFFIX = '.bulk-build';
/** Files SQLite keeps beside a database (write-ahead log, shared memory, rollback journal). */
export const SQLITE_SIDE_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

/** Names in storage/ that belong to the server for a purpose other than the retrieval index. */
export const SERVER_OWNED_STORAGE_NAMES: readonly string[] = [
  AGENT_DB_FILE,
  TOOL_AUDIT_LOG,
  CRON_RUNS_LOG,
  CRON_FAILURES_LOG,
  HEARTBEAT_RUNS_LOG,
  ...Object.values(LEGACY_INDEX_FOLDERS),
];

/**
 * Whether `name` (one file name in storage/) is or could become a file the server owns for another
 * purpose: an owned name, one of its side files or rotations (`agent.db-wal`, `tool_audit.jsonl.1`),
 * or any database side file or bulk-build marker (those belong to the database they sit beside).
 */
export function isServerOwnedStorageName(name: string): boolean {
  const lower = name.toLowerCase();
  if ([...SQLITE_SIDE_SUFFIXES, BULK_BUILD_SUFFIX].some((suffix) => lower.endsWith(suffix))) return true;
  return SERVER_OWNED_STORAGE_NAMES.some(
    (owned) => lower === owned || lower.startsWith(`${owned}.`) || lower.startsWith(`${owned}-`),
  );
}
