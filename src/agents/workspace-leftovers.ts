// Folders that only interrupted work leaves in the workspaces folder (a create, a delete, a sandbox probe): which they are and their removal.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROBE_FOLDER_PREFIX } from '../security';
import type { Logger } from '../shared/logger';

/** A create, delete or probe folder left this long is a crash's leftover, not another replica's work in progress. */
export const LEFTOVER_AGE_MS = 10 * 60_000;

/** Hidden folders in the workspaces folder that only an interrupted piece of work leaves behind. */
const LEFTOVER_PREFIXES = ['.creating-', '.deleting-', PROBE_FOLDER_PREFIX];

/** Removes the leftovers in `workspacesDir` that are at least LEFTOVER_AGE_MS old; younger ones are left alone. */
export function clearLeftovers(workspacesDir: string): void {
  for (const entry of readdirSync(workspacesDir)) {
    // Leftovers of a create, a delete or a sandbox probe that a crash interrupted; younger ones may be another
    // replica's work in progress.
    if (!LEFTOVER_PREFIXES.some((prefix) => entry.startsWith(prefix))) continue;
    const path = join(workspacesDir, entry);
    if (Date.now() - modifiedMs(path) >= LEFTOVER_AGE_MS) rmSync(path, { recursive: true, force: true });
  }
}

/** Removes a half-seeded staging folder after a failed create (a full disk); what cannot go now goes at the next start. */
export function removeStaging(staging: string, logger: Logger): void {
  try {
    rmSync(staging, { recursive: true, force: true });
  } catch (error) {
    logger.warn('could not remove a failed agent staging folder', { staging, error: String(error) });
  }
}

function modifiedMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    // Gone meanwhile (its replica finished): nothing to remove.
    return Number.POSITIVE_INFINITY;
  }
}
