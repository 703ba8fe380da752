// apply_patch: applies a unified diff inside the agent folder: paths guarded first, each file read once, all or none.
import { isUtf8 } from 'node:buffer';
import { existsSync, statSync } from 'node:fs';
import { z } from 'zod';
import { readGuardedBytes, removeGuardedFile, writeGuardedFile } from '../../security';
import { guardPath, isProtectedAgentPath, recheckGuardedPath, type GuardedPath } from '../../security';
import type { ToolDefinition } from '../tool-definition';
import { createHunkSearchBudget } from '../hunk-search-budget';
import { failure, success, type ToolOutcome } from '../tool-result';
import { applyHunks, countLines, parseUnifiedDiff, PatchError, type FilePatch } from '../unified-diff';

const MAX_PATCH_CHARS = 200_000;
const MAX_FILE_BYTES = 5_000_000;
// Each section re-applies to its file's whole text and each file is held twice (before, for the rollback, and
// after): these keep one call's work and memory bounded however the patch is cut up.
const MAX_SECTIONS = 300;
const MAX_FILES = 100;
const MAX_TOTAL_BYTES = 25_000_000;
// Applying a section splits and joins its file's whole text (about 70 ns a line and 1 ns a character): what all
// sections together may run through, under a second of work.
const MAX_LINES_APPLIED = 10_000_000;
const MAX_CHARS_APPLIED = 500_000_000;

const schema = z.object({
  input: z.string().describe('A unified diff (--- / +++ headers, @@ hunks); paths relative to the agent folder'),
});

/** One file as the patch leaves it: read from disk once, then every section for it applies to `after` in turn. */
interface FileChange {
  /** The path as the patch first names it. */
  path: string;
  absolute: string;
  /** On disk before the call (null: absent): what a failed write restores. */
  before: string | null;
  /** After the sections so far (null: absent or removed). */
  after: string | null;
}

/**
 * The apply_patch tool. Each file is read once; several sections for one file apply in order, each to the text
 * the previous left (a rename carries it along). Everything is checked before anything is written, and a failed
 * write restores what was written. Failures are tool errors: E_INVALID_ARGS (malformed or over a limit),
 * E_INVALID_PATH / E_POLICY_DENIED (guard), E_NOT_FOUND, E_EXEC (a hunk does not fit or costs too much to place), E_IO.
 */
export function createApplyPatchTool(): ToolDefinition<z.output<typeof schema>> {
  return {
    name: 'apply_patch',
    description: 'Apply a unified diff to files of the agent folder (all hunks or none).',
    level: 1,
    schema,
    async run({ input }, context) {
      if (!input.trim()) return failure('E_INVALID_ARGS', 'input must be a non-empty unified diff');
      if (input.length > MAX_PATCH_CHARS)
        return failure('E_INVALID_ARGS', `Patch exceeds ${MAX_PATCH_CHARS} characters`);
      let patches: FilePatch[];
      try {
        patches = parseUnifiedDiff(input);
      } catch (error) {
        if (error instanceof PatchError) return failure('E_INVALID_ARGS', error.message, error.details);
        throw error;
      }
      if (patches.length > MAX_SECTIONS) {
        return failure(
          'E_INVALID_ARGS',
          `The patch has ${patches.length} file sections; at most ${MAX_SECTIONS} are applied in one call: split it`,
          { sections: patches.length, max_sections: MAX_SECTIONS },
        );
      }
      // Guard every path before reading or touching anything.
      const targets = new Map<string, string>();
      const guardedTargets = new Map<string, GuardedPath>();
      for (const patch of patches) {
        for (const path of [patch.oldPath, patch.newPath]) {
          if (path === null || targets.has(path)) continue;
          let guarded: GuardedPath;
          try {
            guarded = guardPath(context.agentRoot, path);
          } catch (error) {
            return failure('E_INVALID_PATH', error instanceof Error ? error.message : 'Invalid path', { path });
          }
          if (isProtectedAgentPath(guarded.relative)) {
            return failure(
              'E_POLICY_DENIED',
              `Tools may not change ${guarded.relative}: the agent's storage and config are off limits`,
              { path },
            );
          }
          targets.set(path, guarded.absolute);
          guardedTargets.set(guarded.absolute, guarded);
        }
      }
      if (guardedTargets.size > MAX_FILES) {
        return failure(
          'E_INVALID_ARGS',
          `The patch touches ${guardedTargets.size} files; at most ${MAX_FILES} are changed in one call: split it`,
          { files: guardedTargets.size, max_files: MAX_FILES },
        );
      }
      // Files are keyed by where they are, so two spellings of one path share its running text.
      const files = new Map<string, FileChange>();
      let bytesRead = 0;
      const load = (path: string): FileChange | ToolOutcome => {
        const absolute = targets.get(path)!;
        const known = files.get(absolute);
        if (known) return known;
        let before: string | null = null;
        if (existsSync(absolute)) {
          const stats = statSync(absolute);
          if (!stats.isFile() || stats.size > MAX_FILE_BYTES)
            return failure('E_INVALID_PATH', `Not a patchable text file: ${path}`, { path });
          bytesRead += stats.size;
          if (bytesRead > MAX_TOTAL_BYTES) {
            return failure(
              'E_INVALID_ARGS',
              `The files of the patch exceed ${MAX_TOTAL_BYTES} bytes together: split it`,
              { path, max_total_bytes: MAX_TOTAL_BYTES },
            );
          }
          let bytes: Buffer;
          try {
            bytes = readGuardedBytes(absolute, path, MAX_FILE_BYTES);
          } catch (error) {
            return failure('E_INVALID_PATH', error instanceof Error ? error.message : 'Invalid path', { path });
          }
          // Decoding replaces each invalid byte with U+FFFD: a binary or Latin-1 file would be written back with
          // every such byte changed, far outside the hunks (a PNG lost its signature to one changed line).
          if (!isUtf8(bytes))
            return failure('E_INVALID_PATH', `Not a patchable text file (not UTF-8): ${path}`, { path });
          before = bytes.toString('utf8');
        }
        const change: FileChange = { path, absolute, before, after: before };
        files.set(absolute, change);
        return change;
      };
      // One budget for the whole call: placing hunks is a search, and many sections must not multiply it.
      const budget = createHunkSearchBudget();
      let [linesApplied, charsApplied] = [0, 0];
      for (const patch of patches) {
        const path = (patch.newPath ?? patch.oldPath)!;
        let source: FileChange | null = null;
        if (patch.oldPath !== null) {
          const loaded = load(patch.oldPath);
          if (!isFileChange(loaded)) return loaded;
          if (loaded.after === null)
            return failure('E_NOT_FOUND', `No such file: ${patch.oldPath}`, { path: patch.oldPath });
          source = loaded;
        } else if (!files.has(targets.get(path)!) && existsSync(targets.get(path)!)) {
          return failure('E_EXEC', `File already exists: ${path}`, { path });
        }
        const text = source?.after ?? null;
        linesApplied += text === null ? 0 : countLines(text);
        charsApplied += text?.length ?? 0;
        if (linesApplied > MAX_LINES_APPLIED || charsApplied > MAX_CHARS_APPLIED) {
          return failure(
            'E_INVALID_ARGS',
            `Each section applies to its file's whole text, and these sections would run through more than ${MAX_LINES_APPLIED} lines or ${MAX_CHARS_APPLIED} characters: merge the sections for each file into one, or split the patch`,
            { path, max_lines_applied: MAX_LINES_APPLIED, max_chars_applied: MAX_CHARS_APPLIED },
          );
        }
        let after: string;
        try {
          after = applyHunks(text, patch.hunks, path, budget);
        } catch (error) {
          if (error instanceof PatchError) return failure('E_EXEC', error.message, error.details);
          throw error;
        }
        if (patch.newPath === null) {
          source!.after = null;
          continue;
        }
        const target = load(patch.newPath);
        if (!isFileChange(target)) return target;
        if (source === null && target.after !== null)
          return failure('E_EXEC', `File already exists: ${path}`, { path });
        if (source !== null && source !== target) source.after = null;
        target.after = after;
      }
      // A file created and removed again by the same patch was never there.
      const planned = [...files.values()].filter((change) => change.before !== null || change.after !== null);
      const written: FileChange[] = [];
      try {
        // Nothing swapped a link in since the guard ran (a concurrent tool call could have).
        for (const change of planned) recheckGuardedPath(context.agentRoot, guardedTargets.get(change.absolute)!);
        for (const change of planned) {
          if (change.after === null) removeGuardedFile(change.absolute, change.path);
          else writeGuardedFile(change.absolute, change.after, change.path);
          written.push(change);
        }
      } catch (error) {
        // Roll back what was already written so the folder is as before.
        for (const change of written.reverse()) {
          try {
            if (change.before === null) removeGuardedFile(change.absolute, change.path);
            else writeGuardedFile(change.absolute, change.before, change.path);
          } catch {
            // The folder changed under us: leave it rather than write through whatever replaced it.
          }
        }
        return failure('E_IO', 'Writing the patched files failed; nothing was changed', {
          exception: error instanceof Error ? error.message : String(error),
        });
      }
      return success({
        applied: true,
        changed_files: [...new Set(planned.map((change) => change.path))].sort(),
        hunks_applied: patches.reduce((total, patch) => total + patch.hunks.length, 0),
        errors: [],
      });
    },
  };
}

function isFileChange(loaded: FileChange | ToolOutcome): loaded is FileChange {
  return 'absolute' in loaded;
}
