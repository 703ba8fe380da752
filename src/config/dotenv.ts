// Parses a .env file and fills in variables the real environment does not already hold.
import { existsSync, readFileSync } from 'node:fs';

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

/** Returns `env` with the file's variables added where `env` has none: real variables win. */
export function withDotenv(env: Record<string, string | undefined>, path: string): Record<string, string | undefined> {
  if (!existsSync(path)) return env;
  const fromFile = parseDotenv(readFileSync(path, 'utf8'));
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) merged[key] = value;
  return merged;
}
