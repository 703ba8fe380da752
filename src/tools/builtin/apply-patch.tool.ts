// apply_patch: applies a unified diff inside the agent folder, every path guarded first, all hunks or none.
import { existsSync, statSync } from 'node:fs';
import { z } from 'zod';
import { readGuardedFile, removeGuardedFile, writeGuardedFile } from '../../security';
import { guardPath, isProtectedAgentPath, recheckGuardedPath, type GuardedPath } from '../../security';
import type { ToolDefinition } from '../tool-definition';
import { failure, success } from '../tool-result';
import { applyHunks, parseUnifiedDiff, PatchError, type FilePatch } from '../unified-diff';

const MAX_PATCH_CHARS = 200_000;
const MAX_FILE_BYTES = 5_000_000;

const schema = z.object({
  input: z.string().describe('A unified diff (--- / +++ headers, @@ hunks); paths relative to the agent folder'),
});

interface PlannedChange {
  path: string;
  absolute: string;
  before: string | null;
  after: string | null;
}

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
      const planned: PlannedChange[] = [];
      for (const patch of patches) {
        const path = (patch.newPath ?? patch.oldPath)!;
        const source = patch.oldPath === null ? null : targets.get(patch.oldPath)!;
        if (source !== null && !existsSync(source))
          return failure('E_NOT_FOUND', `No such file: ${patch.oldPath}`, { path: patch.oldPath });
        if (source !== null && (!statSync(source).isFile() || statSync(source).size > MAX_FILE_BYTES)) {
          return failure('E_INVALID_PATH', `Not a patchable text file: ${patch.oldPath}`, { path: patch.oldPath });
        }
        if (patch.oldPath === null && existsSync(targets.get(path)!))
          return failure('E_EXEC', `File already exists: ${path}`, { path });
        let before: string | null = null;
        if (source !== null) {
          try {
            before = readGuardedFile(source, patch.oldPath!, MAX_FILE_BYTES);
          } catch (error) {
            return failure('E_INVALID_PATH', error instanceof Error ? error.message : 'Invalid path', {
              path: patch.oldPath,
            });
          }
        }
        let after: string | null;
        try {
          after = applyHunks(before, patch.hunks, path);
        } catch (error) {
          if (error instanceof PatchError) return failure('E_EXEC', error.message, error.details);
          throw error;
        }
        planned.push({ path, absolute: targets.get(path)!, before, after: patch.newPath === null ? null : after });
        if (patch.oldPath !== null && patch.newPath !== null && patch.oldPath !== patch.newPath) {
          planned.push({ path: patch.oldPath, absolute: source!, before, after: null });
        }
      }
      const written: PlannedChange[] = [];
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
