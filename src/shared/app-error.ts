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
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  session_busy: 409,
  payload_too_large: 413,
  rate_limit_exceeded: 429,
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

export const notFound = (message: string, details?: Record<string, unknown>) => new AppError('not_found', message, details);
export const invalidRequest = (message: string, details?: Record<string, unknown>) =>
  new AppError('invalid_request', message, details);
