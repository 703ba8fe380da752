// Masks secrets inside free text before it reaches a log line or a response.

const PATTERNS: RegExp[] = [
  /sk-[A-Za-z0-9_-]{8,}/g,
  /(api[_-]?key|apikey|token|authorization|password|secret)(["']?\s*[:=]\s*["']?)([^\s"',;]{8,})/gi,
  /Bearer\s+[A-Za-z0-9._~+/=-]{8,}/g,
];

/** Replaces key-like substrings with `[REDACTED]`. */
export function redactSecrets(text: string): string {
  return text
    .replace(PATTERNS[0]!, '[REDACTED]')
    .replace(PATTERNS[1]!, (_match, key: string, separator: string) => `${key}${separator}[REDACTED]`)
    .replace(PATTERNS[2]!, 'Bearer [REDACTED]');
}

/** How much of an error's text is kept: a provider or a proxy may answer a failure with a whole page. */
export const MAX_ERROR_CHARS = 2000;

/**
 * The message of `error` with secrets masked, cut to `max` characters (the rest counted), so a failure that
 * echoes a huge body is not sent to every client, stored in each run row and held by a breaker.
 */
export function errorMessageOf(error: unknown, max = MAX_ERROR_CHARS): string {
  const text = error instanceof Error ? error.message : String(error);
  // Masked with a margin before the cut, so a key at the cut is masked whole, and a long text is scanned only once.
  const masked = redactSecrets(text.length > max + 200 ? text.slice(0, max + 200) : text);
  return text.length > max ? `${masked.slice(0, max)}… (${text.length - max} more characters)` : masked;
}
