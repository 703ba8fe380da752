// The one error type domain code throws, and the exhaustive map from its codes to HTTP status.

/** Every machine-readable error code the API can answer with. Public API: never rename. */
export const ERROR_STATUS = {
  validation_error: 422,
  invalid_request: 400,
  invalid_state: 400,
  invalid_json: 400,
  invalid_host: 400,
  unauthorized: 401,
  forbidden_path: 403,
  scheduler_api_disabled: 403,
  origin_not_allowed: 403,
  not_found: 404,
  /** Work in progress whose agent was deleted under it (new requests for that agent get `not_found`). */
  agent_deleted: 404,
  method_not_allowed: 405,
  conflict: 409,
  session_busy: 409,
  /** `on_busy: enqueue` on a session already holding the most queued messages it may. */
  queue_full: 409,
  /** A queued message another replica took from the shared queue and runs there (its reply goes to the session). */
  queued_elsewhere: 409,
  /** Cancel asked for a run that has already finished (or is not running in this process). */
  run_not_active: 409,
  /** A turn answered without streaming was cancelled before it finished. */
  run_cancelled: 409,
  /** A decision for an approval that was decided, expired or cancelled before. */
  approval_not_pending: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limit_exceeded: 429,
  /** A rejoin stream past the cap on streams open at once, for its run or for the whole server. */
  too_many_streams: 429,
  budget_exceeded: 429,
  internal_error: 500,
  llm_not_configured: 503,
  llm_error: 502,
  not_ready: 503,
  /** The data folder cannot be written: read-only, permission denied, or a database it cannot open for writing. */
  storage_unavailable: 503,
  /** The disk (or quota) of the data folder is full. */
  insufficient_storage: 507,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** A failure that is safe to show a client: `message` and `details` go on the wire, `cause` never does. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

export const notFound = (message: string, details?: Record<string, unknown>) =>
  new AppError('not_found', message, details);
export const invalidRequest = (message: string, details?: Record<string, unknown>) =>
  new AppError('invalid_request', message, details);

/** One problem with a request, as `details.items` of a 422 lists it. */
export interface ValidationItem {
  /** Body fields bare (`''` for the whole body), query parameters `query.x`, path parameters `path.x`. */
  field: string;
  message: string;
  code: string;
}

/** `<field>: <problem>` for the first item (its capital lowered unless it starts an acronym), and how many more follow. */
function firstProblem(items: readonly ValidationItem[]): string {
  const [first] = items;
  if (!first) return 'Request validation failed';
  const problem = /^[A-Z](?![A-Z])/.test(first.message)
    ? first.message[0]!.toLowerCase() + first.message.slice(1)
    : first.message;
  const more = items.length > 1 ? ` (and ${items.length - 1} more)` : '';
  return `${first.field || 'body'}: ${problem}${more}`;
}

/**
 * 422 `validation_error` listing every problem in `details.items`; `message` names the first one in
 * words (`schedule: a cron expression has 5 fields (or 6 with seconds first)`), for clients that show
 * only the message. Every validation failure of the API is built here.
 */
export function validationErrors(items: readonly ValidationItem[]): AppError {
  return new AppError('validation_error', firstProblem(items), { items });
}

/** 422 `validation_error` for one `field` (`''` is the whole body); `code` defaults to `value_error`. */
export function validationError(field: string, message: string, code = 'value_error'): AppError {
  return validationErrors([{ field, message, code }]);
}
