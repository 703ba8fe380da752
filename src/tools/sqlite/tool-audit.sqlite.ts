// SQLite adapter of ToolAuditStore: the `tool_audit` table of the agent database.
import type { Database } from 'bun:sqlite';
import type { ToolAuditEntry, ToolAuditOutcome, ToolAuditStore } from '../tool-audit.port';

interface Row {
  timestamp_ms: number;
  run_id: string;
  session_id: string;
  trigger_type: string;
  tool_name: string;
  arguments: string;
  outcome: ToolAuditOutcome;
  error_code: string | null;
  reason: string | null;
  duration_ms: number;
  model: string | null;
}

const toEntry = (row: Row): ToolAuditEntry => ({
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
  model: row.model,
});

export function createSqliteToolAuditStore(db: Database): ToolAuditStore {
  const insert = db.query(
    `INSERT INTO tool_audit (timestamp_ms, run_id, session_id, trigger_type, tool_name, arguments, outcome, error_code, reason, duration_ms, model)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return {
    async record(entry) {
      const args = JSON.stringify(entry.arguments ?? {});
      insert.run(
        entry.timestampMs,
        entry.runId,
        entry.sessionId,
        entry.triggerType,
        entry.toolName,
        args,
        entry.outcome,
        entry.errorCode,
        entry.reason,
        entry.durationMs,
        entry.model ?? null,
      );
    },
    async list(filter = {}) {
      const rows =
        filter.runId === undefined
          ? db.query<Row, []>('SELECT * FROM tool_audit ORDER BY id').all()
          : db.query<Row, [string]>('SELECT * FROM tool_audit WHERE run_id = ? ORDER BY id').all(filter.runId);
      return rows.map(toEntry);
    },
  };
}
