// What a heartbeat sends: HEARTBEAT.md without comments, and whether the local hour is inside the active window.
import { readAgentTextFile } from '../security';
import { localHour } from './zoned-time';

const HEADING = /^#{1,6}(\s|$)/;

/**
 * Drops comments from a heartbeat checklist: HTML comments (`<!-- … -->`, also across lines) and
 * lines starting with `#` that are not Markdown headings (`#note`, `#!`; a heading has a space after
 * its hashes). Blank lines go; headings stay. Returns '' when no line other than a heading is left:
 * headings alone are not a task.
 */
export function normalizeHeartbeatPrompt(text: string): string {
  const withoutHtmlComments = text.replace(/<!--[\s\S]*?(-->|$)/g, '');
  const lines = withoutHtmlComments
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '')
    .filter((line) => !line.trimStart().startsWith('#') || HEADING.test(line.trimStart()));
  if (!lines.some((line) => !HEADING.test(line.trimStart()))) return '';
  return lines.join('\n').trim();
}

/** The checklist of an agent, or null when `workspace/HEARTBEAT.md` is missing. */
export function readHeartbeatPrompt(agentRoot: string): string | null {
  try {
    return normalizeHeartbeatPrompt(readAgentTextFile(agentRoot, 'workspace/HEARTBEAT.md'));
  } catch {
    return null; // Missing, or a link out of the folder (or to anything): no checklist.
  }
}

/** start == end: always; start < end: start ≤ hour < end; start > end: the window wraps midnight. */
export function isHourInWindow(hour: number, start: number, end: number): boolean {
  if (start === end) return true;
  if (start < end) return hour >= start && hour < end;
  return hour >= start || hour < end;
}

const QUARTER_HOUR_MS = 15 * 60_000;

/**
 * The first instant at or after `fromMs` inside the window, on a quarter-hour boundary (every zone's
 * hours begin on one). `fromMs` itself when it is inside.
 */
export function nextWindowStart(fromMs: number, zone: string, start: number, end: number): number {
  if (isHourInWindow(localHour(fromMs, zone), start, end)) return fromMs;
  let candidate = Math.ceil(fromMs / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
  for (let step = 0; step < 4 * 26; step++, candidate += QUARTER_HOUR_MS) {
    if (isHourInWindow(localHour(candidate, zone), start, end)) return candidate;
  }
  return fromMs;
}
