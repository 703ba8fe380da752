// Parses a .env file and fills in variables the real environment does not already hold.
//
// Ours on purpose: the `dotenv` package ends an unquoted value at `#` (`abc#def` becomes `abc`; here a `#`
// starts a comment only after a space), accepts keys that start with a digit (`9BAD`), and keeps `\"`
// escaped inside double quotes; dotenv.test.ts pins each of these, and the parser is 20 lines.
import { existsSync } from 'node:fs';
import { readRegularFile } from '../shared/regular-file';

/** Parses `KEY=value` lines (optional `export `, quotes, `#` comments). */
export function parseDotenv(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2] ?? '';
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    result[match[1]!] = value;
  }
  return result;
}

/**
 * Returns `env` with the file's variables added where `env` has none: real variables win. Throws
 * NotRegularFileError naming the path (start-up then fails) when a FIFO or device stands there.
 */
export function withDotenv(env: Record<string, string | undefined>, path: string): Record<string, string | undefined> {
  if (!existsSync(path)) return env;
  const fromFile = parseDotenv(readRegularFile(path));
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) merged[key] = value;
  return merged;
}
