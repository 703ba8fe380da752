// The environment the process was started with, told apart from what Bun's own dotenv loading added to process.env.
//
// Bun loads `.env` (and `.env.local`, `.env.production`…) into process.env before any of our code runs, and expands
// `$NAME` in the values (`s3cr3t$Pass` becomes `s3cr3t`). Taken as the real environment, those values would beat our
// own parser's (dotenv.ts). The start script (`--no-env-file`), bunfig.toml (`env = false`) and the build
// (`--no-compile-autoload-dotenv`) keep Bun from loading them; this covers every other way of starting the server.
import { readFileSync } from 'node:fs';

type Env = Record<string, string | undefined>;

/** Where Linux keeps the environment a process was started with; what the process sets later never shows there. */
export const START_ENVIRON_PATH = '/proc/self/environ';

/** Parses NUL-separated `KEY=value` entries, as /proc/<pid>/environ holds them; the first of repeated keys wins, as with getenv. */
export function parseEnviron(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of text.split('\0')) {
    const at = entry.indexOf('=');
    if (at <= 0) continue;
    const key = entry.slice(0, at);
    if (!Object.hasOwn(result, key)) result[key] = entry.slice(at + 1);
  }
  return result;
}

/**
 * The variables the process was started with: read from `path` (Linux's /proc/self/environ) when it can be read,
 * else `current` as it is (other systems, where only the start script, bunfig.toml and the build keep Bun's dotenv
 * loading out). Never returns `current` itself, so a caller may change the result.
 */
export function readStartEnvironment(current: Env, path: string = START_ENVIRON_PATH): Env {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    // No /proc (not Linux, or mounted without it): process.env is all there is.
    return { ...current };
  }
  return parseEnviron(text);
}

/**
 * Makes `target` (process.env) hold exactly `env`: a variable only Bun's dotenv loading set goes, and `.env`'s
 * variables take our parser's values, so what tools, model profiles (`api_key_env`) and LangChain read from
 * process.env agrees with the settings.
 */
export function replaceEnvironment(target: Env, env: Env): void {
  for (const key of Object.keys(target)) if (env[key] === undefined) delete target[key];
  for (const [key, value] of Object.entries(env)) if (value !== undefined && target[key] !== value) target[key] = value;
}
