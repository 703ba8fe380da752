// Tool-call audit: a row in the agent database and a line in storage/tool_audit.jsonl, secrets redacted.
import type { Database } from 'bun:sqlite';
import { appendFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { redactSecrets } from '../shared/redact';

export type ToolAuditOutcome = 'ok' | 'error' | 'denied';

export interface ToolAuditEntry {
  timestampMs: number;
  runId: string;
  sessionId: string;
  triggerType: string;
  toolName: string;
  /** The call's arguments as the model sent them; redacted before they are stored. */
  arguments: unknown;
  outcome: ToolAuditOutcome;
  errorCode: string | null;
  reason: string | null;
  durationMs: number;
}

export interface ToolAuditStore {
  record(entry: ToolAuditEntry): void;
  /** Rows, oldest first, optionally for one run. */
  list(filter?: { runId?: string }): ToolAuditEntry[];
}

/** The JSONL file is rotated to `<file>.1` when it passes this size. */
export const AUDIT_ROTATE_BYTES = 10 * 1024 * 1024;

const SECRET_KEY = /(^|[_-])(api[_-]?key|apikey|token|access[_-]?token|secret|password|passwd|authorization|cookie|credentials?)$/i;

/** Redacts string values by pattern and values under secret-looking keys (not `input_tokens`-style counters). */
export function redactArguments(value: unknown, depth = 0): unknown {
  if (depth > 20) return '[DEPTH]';
  if (typeof value === 'string') return redactSecrets(value);
  if (Array.isArray(value)) return value.map((item) => redactArguments(item, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, SECRET_KEY.test(key) ? '[REDACTED]' : redactArguments(item, depth + 1)]),
    );
  }
  return value;
}

function appendRotating(path: string, line: string): void {
  const folder = dirname(path);
  if (!existsSync(folder)) {
    // No agent folder above storage/: the agent was deleted under a call still running, and its audit
    // trail went with it. Creating the folders would bring a folder back under the agent's id.
    if (!existsSync(dirname(folder))) return;
    mkdirSync(folder);
  }
  try {
    if (statSync(path).size + line.length > AUDIT_ROTATE_BYTES) renameSync(path, `${path}.1`);
  } catch {
    // No file yet: nothing to rotate.
  }
  appendFileSync(path, line);
}

export function createToolAuditStore(db: Database, jsonlPath: string): ToolAuditStore {
  const insert = db.query(
    `INSERT INTO tool_audit (timestamp_ms, run_id, session_id, trigger_type, tool_name, arguments, outcome, error_code, reason, duration_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return {
    record(entry) {
      const args = JSON.stringify(redactArguments(entry.arguments) ?? {});
      const reason = entry.reason === null ? null : redactSecrets(entry.reason);
      insert.run(entry.timestampMs, entry.runId, entry.sessionId, entry.triggerType, entry.toolName, args, entry.outcome, entry.errorCode, reason, entry.durationMs);
      const line = {
        event: 'tool_call',
        timestamp_ms: entry.timestampMs,
        run_id: entry.runId,
        session_id: entry.sessionId,
        trigger_type: entry.triggerType,
        tool: entry.toolName,
        args: JSON.parse(args),
        outcome: entry.outcome,
        error_code: entry.errorCode,
        reason,
        duration_ms: entry.durationMs,
      };
      appendRotating(jsonlPath, JSON.stringify(line) + '\n');
    },
    list(filter = {}) {
      const rows = (
        filter.runId === undefined
          ? db.query('SELECT * FROM tool_audit ORDER BY id').all()
          : db.query('SELECT * FROM tool_audit WHERE run_id = ? ORDER BY id').all(filter.runId)
      ) as Record<string, any>[];
      return rows.map((row) => ({
        timestampMs: row.timestamp_ms,
        runId: row.run_id,
        sessionId: row.session_id,
        triggerType: row.trigger_type,
        toolName: row.tool_name,
        arguments: JSON.parse(row.arguments),
        outcome: row.outcome,
        errorCode: row.error_code,
        reason: row.reason,
        durationMs: row.duration_ms,
      }));
    },
  };
}
