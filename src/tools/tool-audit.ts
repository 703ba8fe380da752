// Tool-call audit: secrets redacted, then a row through the ToolAuditStore port and a line in storage/tool_audit.jsonl.
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AGENT_STORAGE_FOLDER, TOOL_AUDIT_LOG } from '../shared/agent-storage';
import { redactSecrets } from '../shared/redact';
import { appendRegularFile } from '../shared/regular-file';
import type { ToolAuditEntry, ToolAuditStore } from './tool-audit.port';

/** The JSONL file is rotated to `<file>.1` when it passes this size. */
export const AUDIT_ROTATE_BYTES = 10 * 1024 * 1024;

const SECRET_KEY =
  /(^|[_-])(api[_-]?key|apikey|token|access[_-]?token|secret|password|passwd|authorization|cookie|credentials?)$/i;

/** Redacts string values by pattern and values under secret-looking keys (not `input_tokens`-style counters). */
export function redactArguments(value: unknown, depth = 0): unknown {
  if (depth > 20) return '[DEPTH]';
  if (typeof value === 'string') return redactSecrets(value);
  if (Array.isArray(value)) return value.map((item) => redactArguments(item, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [
        key,
        SECRET_KEY.test(key) ? '[REDACTED]' : redactArguments(item, depth + 1),
      ]),
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
  appendRegularFile(path, line);
}

/**
 * Audits one call of the agent at `agentRoot`: arguments and reason redacted, the row stored through
 * `store`, then the line appended to the agent's storage/tool_audit.jsonl (rotated past 10 MiB). Throws
 * NotRegularFileError, never blocks, when something other than a regular file (a FIFO) stands at that name.
 */
export async function auditToolCall(store: ToolAuditStore, agentRoot: string, entry: ToolAuditEntry): Promise<void> {
  // Through JSON and back: what is stored is exactly what the line shows.
  const args = JSON.parse(JSON.stringify(redactArguments(entry.arguments) ?? {})) as unknown;
  const reason = entry.reason === null ? null : redactSecrets(entry.reason);
  await store.record({ ...entry, arguments: args, reason });
  const line = {
    event: 'tool_call',
    timestamp_ms: entry.timestampMs,
    run_id: entry.runId,
    session_id: entry.sessionId,
    trigger_type: entry.triggerType,
    tool: entry.toolName,
    args,
    outcome: entry.outcome,
    error_code: entry.errorCode,
    reason,
    duration_ms: entry.durationMs,
    model: entry.model,
  };
  appendRotating(join(agentRoot, AGENT_STORAGE_FOLDER, TOOL_AUDIT_LOG), `${JSON.stringify(line)}\n`);
}
