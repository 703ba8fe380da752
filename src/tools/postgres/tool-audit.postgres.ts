// PostgreSQL adapter of ToolAuditStore: one agent's rows of the shared `tool_audit` table.
import type { SQL } from 'bun';
import { toNumber } from '../../db/postgres/row-values';
import type { ToolAuditEntry, ToolAuditOutcome, ToolAuditStore } from '../tool-audit.port';

interface Row {
  timestamp_ms: string;
  run_id: string;
  session_id: string;
  trigger_type: string;
  tool_name: string;
  arguments: string;
  outcome: ToolAuditOutcome;
  error_code: string | null;
  reason: string | null;
  duration_ms: string;
  model: string | null;
}

const toEntry = (row: Row): ToolAuditEntry => ({
  timestampMs: toNumber(row.timestamp_ms),
  runId: row.run_id,
  sessionId: row.session_id,
  triggerType: row.trigger_type,
  toolName: row.tool_name,
  arguments: JSON.parse(row.arguments),
  outcome: row.outcome,
  errorCode: row.error_code,
  reason: row.reason,
  durationMs: toNumber(row.duration_ms),
  model: row.model,
});

/** The tool audit of agent `agentId` in the shared database. */
export function createPostgresToolAuditStore(sql: SQL, agentId: string): ToolAuditStore {
  return {
    async record(entry) {
      await sql`INSERT INTO tool_audit (agent_id, timestamp_ms, run_id, session_id, trigger_type, tool_name, arguments, outcome, error_code, reason, duration_ms, model)
        VALUES (${agentId}, ${entry.timestampMs}, ${entry.runId}, ${entry.sessionId}, ${entry.triggerType}, ${entry.toolName},
          ${JSON.stringify(entry.arguments ?? {})}, ${entry.outcome}, ${entry.errorCode}, ${entry.reason}, ${entry.durationMs}, ${entry.model ?? null})`;
    },
    async list(filter = {}) {
      const rows: Row[] =
        filter.runId === undefined
          ? await sql`SELECT * FROM tool_audit WHERE agent_id = ${agentId} ORDER BY id`
          : await sql`SELECT * FROM tool_audit WHERE agent_id = ${agentId} AND run_id = ${filter.runId} ORDER BY id`;
      return rows.map(toEntry);
    },
  };
}
