// The tools domain's storage port: one audit row per tool call, per agent.

export type ToolAuditOutcome = 'ok' | 'error' | 'denied';

export interface ToolAuditEntry {
  timestampMs: number;
  runId: string;
  sessionId: string;
  triggerType: string;
  toolName: string;
  /** The call's arguments as the model sent them, secrets already redacted (see tool-audit.ts). */
  arguments: unknown;
  outcome: ToolAuditOutcome;
  errorCode: string | null;
  /** Already redacted. */
  reason: string | null;
  durationMs: number;
  /** The model whose tool call this was (the one that really answered, after any fallback); null when not known. */
  model: string | null;
}

export interface ToolAuditStore {
  record(entry: ToolAuditEntry): Promise<void>;
  /** Rows in the order they were recorded, optionally of one run. */
  list(filter?: { runId?: string }): Promise<ToolAuditEntry[]>;
}

/** The ports an agent storage bundle carries for the tools domain. */
export interface ToolPorts {
  toolAudit: ToolAuditStore;
}
