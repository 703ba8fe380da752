// read_file (alias read) and read_files: path-guarded reads that never load more of a file than they return.
import { closeSync, fstatSync, readSync, statSync } from 'node:fs';
import { z } from 'zod';
import { openGuardedFile } from '../../security';
import { guardPath, isProtectedAgentPath, recheckGuardedPath } from '../../security';
import { nextTurn } from '../../shared/event-loop';
import type { ToolCallContext, ToolDefinition } from '../tool-definition';
import { success, ToolFailure, TRUNCATION_MARKER } from '../tool-result';

const range = {
  start_line: z.number().int().min(1).optional().describe('First line to return (1-based)'),
  end_line: z.number().int().min(1).optional().describe('Last line to return (inclusive)'),
  max_chars: z
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .optional()
    .describe('Most characters to return (default from config)'),
};
const readFileSchema = z.object({ path: z.string().describe('Path relative to the agent folder'), ...range });
const readFilesSchema = z.object({
  paths: z.array(z.string()).min(1).max(32).describe('Up to 32 paths relative to the agent folder'),
  ...range,
});

type Range = { start_line?: number; end_line?: number; max_chars?: number };
const CHUNK = 64 * 1024;
/** Chunks read between returns to the event loop (4 MiB: a few milliseconds of the server thread). */
const CHUNKS_PER_SLICE = 64;
/** Most bytes one call reads looking for its lines, over all its paths: a far start line costs at most this. */
export const SCAN_BUDGET_BYTES = 256 * 1024 * 1024;

/** What is left of a call's scanning budget, shared by the files of one `read_files`. */
export interface ScanBudget {
  bytes: number;
}

/** Resolves through the path guard; guard refusals become E_INVALID_PATH, missing files E_NOT_FOUND. */
function resolveFile(root: string, path: string): string {
  let absolute: string;
  try {
    const guarded = guardPath(root, path.trim());
    if (isProtectedAgentPath(guarded.relative)) {
      throw new ToolFailure(
        'E_POLICY_DENIED',
        `Tools may not read ${guarded.relative}: the agent's storage and config are off limits`,
        { path },
      );
    }
    recheckGuardedPath(root, guarded);
    absolute = guarded.absolute;
  } catch (error) {
    if (error instanceof ToolFailure) throw error;
    throw new ToolFailure('E_INVALID_PATH', error instanceof Error ? error.message : 'Invalid path', { path });
  }
  let isFile = false;
  try {
    isFile = statSync(absolute).isFile();
  } catch {
    // Missing: reported below.
  }
  if (!isFile) throw new ToolFailure('E_NOT_FOUND', `No such file: ${path}`, { path });
  return absolute;
}

/**
 * Reads lines `start..end` of a file, at most `maxChars` characters, in 64 KiB pieces: it stops as soon as it has
 * enough, so a huge file costs no more than what is returned. Lines before `start` are skipped as bytes (a newline
 * byte is never inside a UTF-8 sequence), and the bytes read come out of `budget`: past it, E_OUTPUT_LIMIT. Every
 * 4 MiB it gives the event loop back (other turns go on while a far line is looked for) and stops if `signal` is
 * aborted (the run was cancelled).
 */
export async function readBounded(
  absolute: string,
  options: Range & { max_chars: number },
  budget: ScanBudget = { bytes: SCAN_BUDGET_BYTES },
  signal?: AbortSignal,
): Promise<{ content: string; truncated: boolean }> {
  const start = options.start_line ?? 1;
  const end = options.end_line ?? Number.POSITIVE_INFINITY;
  let handle: number;
  try {
    handle = openGuardedFile(absolute, absolute);
  } catch (error) {
    throw new ToolFailure('E_INVALID_PATH', error instanceof Error ? error.message : 'Invalid path', {});
  }
  const decoder = new TextDecoder();
  const buffer = Buffer.alloc(CHUNK);
  let line = 1;
  let output = '';
  let more = false;
  try {
    let position = 0;
    const size = fstatSync(handle).size;
    for (let chunks = 1; ; chunks++) {
      if (chunks % CHUNKS_PER_SLICE === 0) {
        await nextTurn();
        if (signal?.aborted) throw new ToolFailure('E_IO', 'Stopped reading: the run was cancelled', { line });
      }
      // A budget spent exactly at the end of the file is not a file too long: the read below then finds the end.
      if (budget.bytes <= 0 && position < size)
        throw new ToolFailure(
          'E_OUTPUT_LIMIT',
          `Stopped after reading ${SCAN_BUDGET_BYTES / 1024 / 1024} MiB in this call; ask for earlier lines or fewer files`,
          { line },
        );
      const read = readSync(handle, buffer, 0, Math.max(0, Math.min(CHUNK, budget.bytes)), position);
      position += read;
      budget.bytes -= read;
      // A byte loop: indexOf per line cost ~16 ns a line, 4.3 s over 256 MiB of line breaks.
      let from = 0;
      while (line < start && from < read) if (buffer[from++] === 10) line++;
      if (line < start && read > 0) continue;
      let text = decoder.decode(buffer.subarray(from, read), { stream: read > 0 });
      let done = read === 0;
      while (text.length > 0) {
        const newline = text.indexOf('\n');
        const piece = newline === -1 ? text : text.slice(0, newline + 1);
        text = newline === -1 ? '' : text.slice(newline + 1);
        if (line >= start && line <= end) output += piece;
        if (newline !== -1) line++;
        if (line > end) {
          done = true;
          break;
        }
        if (output.length > options.max_chars) {
          more = true;
          done = true;
          break;
        }
      }
      if (done) break;
    }
  } finally {
    closeSync(handle);
  }
  if (options.end_line !== undefined || options.start_line !== undefined) output = output.replace(/\n$/, '');
  if (more || output.length > options.max_chars)
    return { content: output.slice(0, options.max_chars) + TRUNCATION_MARKER, truncated: true };
  return { content: output, truncated: false };
}

async function readOne(context: ToolCallContext, path: string, options: Range, budget?: ScanBudget) {
  if (options.start_line !== undefined && options.end_line !== undefined && options.end_line < options.start_line) {
    throw new ToolFailure('E_INVALID_ARGS', 'end_line must not be before start_line');
  }
  const absolute = resolveFile(context.agentRoot, path);
  return readBounded(
    absolute,
    { ...options, max_chars: options.max_chars ?? context.config.tool_output_limits.read_file_chars },
    budget,
    context.signal,
  );
}

export function createReadFileTool(): ToolDefinition<z.output<typeof readFileSchema>> {
  return {
    name: 'read_file',
    aliases: ['read'],
    description: 'Read a text file of the agent folder, optionally a line range.',
    level: 0,
    schema: readFileSchema,
    async run({ path, ...options }, context) {
      const { content, truncated } = await readOne(context, path, options);
      return success({ path, content, truncated }, { truncated });
    },
  };
}

export function createReadFilesTool(): ToolDefinition<z.output<typeof readFilesSchema>> {
  return {
    name: 'read_files',
    description: 'Read several text files of the agent folder at once.',
    level: 0,
    schema: readFilesSchema,
    async run({ paths, ...options }, context) {
      const budget: ScanBudget = { bytes: SCAN_BUDGET_BYTES };
      // A path asked for twice is read once.
      const outcomes = new Map<string, Awaited<ReturnType<typeof readOne>> | ToolFailure>();
      const results = [];
      for (const path of paths) {
        let outcome = outcomes.get(path);
        if (!outcome) {
          try {
            outcome = await readOne(context, path, options, budget);
          } catch (error) {
            if (!(error instanceof ToolFailure)) throw error;
            if (context.signal?.aborted) throw error;
            outcome = error;
          }
          outcomes.set(path, outcome);
        }
        results.push(
          outcome instanceof ToolFailure
            ? { ok: false, path, error: { code: outcome.code, message: outcome.message } }
            : { ok: true, path, ...outcome },
        );
      }
      const truncated = results.some((result) => 'truncated' in result && result.truncated);
      return success({ results, partial: results.some((result) => !result.ok) }, { truncated });
    },
  };
}
