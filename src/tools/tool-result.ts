// The JSON result every tool hands the model: {ok, data, meta, error}, its error codes, and text capping.

/** Error codes a tool result can carry (contract §3.5 / internals §5.1, plus the sandbox's own). */
export type ToolErrorCode =
  | 'E_INVALID_ARGS'
  | 'E_POLICY_DENIED'
  | 'E_NOT_FOUND'
  | 'E_INVALID_PATH'
  | 'E_IO'
  | 'E_TIMEOUT'
  | 'E_HTTP'
  | 'E_EXEC'
  | 'E_SANDBOX_UNAVAILABLE'
  | 'E_OUTPUT_LIMIT'
  | 'E_INTERNAL';

export interface ToolErrorBody {
  code: ToolErrorCode;
  message: string;
  retryable: boolean;
  details: Record<string, unknown>;
}

export interface ToolEnvelope {
  ok: boolean;
  data: Record<string, unknown>;
  meta: { tool_name: string; duration_ms: number; truncated: boolean; warnings: string[] };
  error: ToolErrorBody | null;
}

/** What a tool's `run` returns; the runner adds `meta`. */
export type ToolOutcome =
  | { ok: true; data: Record<string, unknown>; truncated?: boolean; warnings?: string[] }
  | { ok: false; error: ToolErrorBody; warnings?: string[] };

const RETRYABLE: ReadonlySet<ToolErrorCode> = new Set(['E_TIMEOUT', 'E_HTTP', 'E_IO']);

export function success(
  data: Record<string, unknown>,
  extra: { truncated?: boolean; warnings?: string[] } = {},
): ToolOutcome {
  return { ok: true, data, truncated: extra.truncated ?? false, warnings: extra.warnings ?? [] };
}

/** A failed outcome; `retryable` defaults by code (timeouts, HTTP and I/O errors are). */
export function failure(
  code: ToolErrorCode,
  message: string,
  details: Record<string, unknown> = {},
  retryable?: boolean,
): ToolOutcome {
  return { ok: false, error: { code, message, retryable: retryable ?? RETRYABLE.has(code), details } };
}

/** Thrown inside a tool to fail with a code; the runner turns it into a failed outcome. */
export class ToolFailure extends Error {
  constructor(
    readonly code: ToolErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ToolFailure';
  }
}

export function toEnvelope(toolName: string, outcome: ToolOutcome, durationMs: number): ToolEnvelope {
  const meta = {
    tool_name: toolName,
    duration_ms: Math.max(0, Math.round(durationMs)),
    warnings: outcome.warnings ?? [],
  };
  if (outcome.ok)
    return { ok: true, data: outcome.data, meta: { ...meta, truncated: outcome.truncated ?? false }, error: null };
  return { ok: false, data: {}, meta: { ...meta, truncated: false }, error: outcome.error };
}

export const TRUNCATION_MARKER = '\n...[truncated]';

/** Keeps the first `maxChars` characters, then the marker. */
export function capText(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  return { text: text.slice(0, maxChars) + TRUNCATION_MARKER, truncated: true };
}

/** Keeps the head and the tail (most errors are at the end), with a marker saying how much was cut. */
export function capHeadTail(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  const head = Math.ceil(maxChars / 2);
  const tail = maxChars - head;
  const cut = text.length - head - tail;
  return {
    text: `${text.slice(0, head)}\n...[truncated ${cut} chars]...\n${tail > 0 ? text.slice(-tail) : ''}`,
    truncated: true,
  };
}
