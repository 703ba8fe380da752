// The LangSmith tracing switch: precedence of the three variables, persisted to .env, applied to LangChain.
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../shared/atomic-write';

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);
export const TRACING_KEY = 'OBS_TRACING_ENABLED';

/** The first of OBS_TRACING_ENABLED, LANGSMITH_TRACING, LANGCHAIN_TRACING_V2 with a recognised value decides; else off. */
export function isTracingEnabled(env: Record<string, string | undefined>): boolean {
  for (const name of [TRACING_KEY, 'LANGSMITH_TRACING', 'LANGCHAIN_TRACING_V2']) {
    const value = env[name]?.trim().toLowerCase();
    if (value && TRUE.has(value)) return true;
    if (value && FALSE.has(value)) return false;
  }
  return false;
}

/** Sets `KEY=value` in .env text: replaces the first assignment, drops later duplicates, appends when absent. */
export function setDotenvValue(text: string, key: string, value: string): string {
  const lines = text.length > 0 ? text.replace(/\n$/, '').split('\n') : [];
  const assignment = new RegExp(`^\\s*(export\\s+)?${key}\\s*=`);
  let replaced = false;
  const result: string[] = [];
  for (const line of lines) {
    if (!line.trim().startsWith('#') && assignment.test(line)) {
      if (!replaced) result.push(`${key}=${value}`);
      replaced = true;
      continue;
    }
    result.push(line);
  }
  if (!replaced) {
    if (result.length > 0 && result[result.length - 1]!.trim() === '') result.pop();
    result.push(`${key}=${value}`);
  }
  return `${result.join('\n')}\n`;
}

export interface TracingControl {
  enabled(): boolean;
  /** Persists the switch to .env and applies it to this process, so LangChain's own env checks follow it. */
  set(enabled: boolean): boolean;
}

export function createTracingControl(env: Record<string, string | undefined>, envFilePath: string): TracingControl {
  const apply = (enabled: boolean) => {
    env[TRACING_KEY] = String(enabled);
    // LangChain reads these itself; an explicit off must silence it too.
    env.LANGSMITH_TRACING = String(enabled);
    env.LANGCHAIN_TRACING_V2 = String(enabled);
  };
  apply(isTracingEnabled(env));
  return {
    enabled: () => isTracingEnabled(env),
    set(enabled) {
      const current = existsSync(envFilePath) ? readFileSync(envFilePath, 'utf8') : '';
      writeFileAtomic(envFilePath, setDotenvValue(current, TRACING_KEY, String(enabled)));
      apply(enabled);
      return enabled;
    },
  };
}
