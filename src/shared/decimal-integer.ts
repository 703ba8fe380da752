// Reads a whole number the way a person writes one in a flag or a variable: decimal digits, nothing else.

/**
 * The value of `text` when it is decimal digits, with spaces around allowed (`" 8080 "`, `"0080"`); null for
 * anything else. Number() would also take hex (`0x50`), binary (`0b11111`), octal (`0o17`), exponents (`1e3`),
 * a sign or a fraction that happens to be whole (`80.0`), and a port from those is not the one that was meant.
 */
export function parseDecimalInteger(text: string): number | null {
  const trimmed = text.trim();
  return /^[0-9]+$/.test(trimmed) ? Number(trimmed) : null;
}
