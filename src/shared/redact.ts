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
