// Unified diffs: our parser (the messages the model learns from) and jsdiff's `applyPatch` to apply hunks in memory.
//
// Applying is the `diff` package's (jsdiff): a hunk found away from its line number moves the later ones
// by the same offset, hunks apply in order (a later one never lands on or before an earlier one), and a
// CRLF file takes an LF diff. On a file that matches the diff it gives what our applier gave (20,000
// generated patches compared). Two things differ on files that have changed since the diff was made:
// jsdiff would pad a pure insertion numbered past the end with blank lines (it is appended instead,
// below), and it honours a `\ No newline at end of file` marker even when its hunk lands elsewhere.
//
// Parsing stays ours, on purpose: jsdiff's `parsePatch` reports a hunk that ends early as "Hunk at line 3
// contained invalid line", takes `@@ -1 +1 @@` over a lone `-a` at the end of the text for a pure deletion
// (its "empty block count" rule), and keeps `a/`/`b/` prefixes. The model gets E_INVALID_ARGS with our
// messages (`Hunk is shorter than its header says`, tested); telling jsdiff's failures apart would mean
// matching its error text.
//
// Placing a hunk is searched (jsdiff tries every line), so each apply is metered: see hunk-search-budget.ts.
import { applyPatch, type StructuredPatch, type StructuredPatchHunk } from 'diff';
import {
  createHunkSearchBudget,
  type HunkSearchBudget,
  HunkSearchExhausted,
  meteredCompareLine,
} from './hunk-search-budget';

/** One hunk as jsdiff takes it: header counts, and the body lines with their ` `, `-`, `+` or `\` prefix. */
export type Hunk = StructuredPatchHunk;

export interface FilePatch {
  /** Paths as written in the diff, `a/`/`b/` prefixes removed; null for /dev/null. */
  oldPath: string | null;
  newPath: string | null;
  hunks: Hunk[];
}

export class PatchError extends Error {
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function headerPath(raw: string, strip: boolean): string | null {
  const path = raw.split('\t')[0]!.trim();
  if (path === '/dev/null') return null;
  return strip ? path.replace(/^[ab]\//, '') : path;
}

/** Parses a unified diff (plain or git-style). Throws PatchError when it holds no file or a malformed hunk. */
export function parseUnifiedDiff(text: string): FilePatch[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const strip = lines.some((line) => line.startsWith('--- a/') || line.startsWith('+++ b/'));
  const patches: FilePatch[] = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index]!;
    if (!line.startsWith('--- ') || !lines[index + 1]?.startsWith('+++ ')) {
      index++;
      continue;
    }
    const patch: FilePatch = {
      oldPath: headerPath(line.slice(4), strip),
      newPath: headerPath(lines[index + 1]!.slice(4), strip),
      hunks: [],
    };
    index += 2;
    while (index < lines.length && lines[index]!.startsWith('@@')) {
      const match = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(lines[index]!);
      if (!match) throw new PatchError(`Malformed hunk header: ${lines[index]}`);
      const oldLines = match[2] === undefined ? 1 : Number(match[2]);
      const newLines = match[4] === undefined ? 1 : Number(match[4]);
      // A side of zero lines names the line before the hunk (`-3,0` inserts after line 3); jsdiff counts from the line itself.
      const hunk: Hunk = {
        oldStart: Number(match[1]) + (oldLines === 0 ? 1 : 0),
        oldLines,
        newStart: Number(match[3]) + (newLines === 0 ? 1 : 0),
        newLines,
        lines: [],
      };
      let [oldCount, newCount] = [oldLines, newLines];
      index++;
      while (index < lines.length && (oldCount > 0 || newCount > 0 || lines[index]!.startsWith('\\'))) {
        const body = lines[index]!;
        const kind = body[0] ?? ' ';
        if (kind === ' ') {
          oldCount--;
          newCount--;
        } else if (kind === '-') oldCount--;
        else if (kind === '+') newCount--;
        else if (kind !== '\\') throw new PatchError(`Unexpected line in hunk: ${body.slice(0, 80)}`);
        // An empty line is a context line whose leading space was trimmed away (editors and models do that).
        hunk.lines.push(body === '' ? ' ' : body);
        index++;
      }
      if (oldCount !== 0 || newCount !== 0)
        throw new PatchError('Hunk is shorter than its header says', { header: match[0] });
      patch.hunks.push(hunk);
    }
    if (patch.hunks.length === 0) throw new PatchError(`No hunks for ${patch.newPath ?? patch.oldPath}`);
    patches.push(patch);
  }
  if (patches.length === 0) throw new PatchError('No file headers (--- / +++) found in the patch');
  return patches;
}

/** Lines of `text`, the empty string after a final newline not counted; counted without splitting it. */
export function countLines(text: string): number {
  if (text === '') return 0;
  let breaks = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) breaks++;
  return text.endsWith('\n') ? breaks : breaks + 1;
}

/**
 * Applies every hunk to `original` (null: the file is new) or throws PatchError naming the hunk that does
 * not fit. A pure insertion numbered past the end of the file is appended to it (our applier's rule, kept):
 * jsdiff would pad the gap with blank lines. Searching where hunks fit spends `budget` (pass one budget for
 * every file of a patch); once it is spent this throws PatchError with `details.max_comparisons`.
 */
export function applyHunks(
  original: string | null,
  hunks: Hunk[],
  path: string,
  budget: HunkSearchBudget = createHunkSearchBudget(),
): string {
  try {
    return applyPlacedHunks(original ?? '', hunks, path, budget);
  } catch (error) {
    if (!(error instanceof HunkSearchExhausted)) throw error;
    throw new PatchError(
      `Hunk ${error.hunk + 1} of ${path} is too costly to place (over ${error.limit} line comparisons for the whole patch): its context matches almost everywhere; give it the right line numbers or more distinctive context`,
      { path, hunk: error.hunk + 1, max_comparisons: error.limit },
    );
  }
}

function applyPlacedHunks(source: string, hunks: Hunk[], path: string, budget: HunkSearchBudget): string {
  const last = countLines(source) + 1;
  const placed = hunks.map((hunk) =>
    hunk.oldLines === 0 && hunk.oldStart > last ? { ...hunk, oldStart: last } : hunk,
  );
  const asPatch = (some: Hunk[]): StructuredPatch => ({
    oldFileName: path,
    newFileName: path,
    oldHeader: undefined,
    newHeader: undefined,
    hunks: some,
  });
  const apply = (some: Hunk[]) => applyPatch(source, asPatch(some), { compareLine: meteredCompareLine(some, budget) });
  const patched = apply(placed);
  if (patched !== false) return patched;
  // jsdiff says only that the patch does not fit. The hunk that breaks it is found by bisecting the prefixes
  // (the first n - 1 hunks fit, the first n do not): a few applies, however many hunks the patch has.
  let [fits, fails] = [0, placed.length];
  try {
    while (fails - fits > 1) {
      const middle = Math.floor((fits + fails) / 2);
      if (apply(placed.slice(0, middle)) === false) fails = middle;
      else fits = middle;
    }
  } catch (error) {
    // The patch does not fit; only naming the hunk ran out of budget, so this is no 'too costly to place'.
    if (!(error instanceof HunkSearchExhausted)) throw error;
    throw new PatchError(
      `A hunk of ${path} does not apply (after hunk ${fits}): its context was not found; the search for which one stopped after ${error.limit} line comparisons`,
      { path, max_comparisons: error.limit },
    );
  }
  throw new PatchError(`Hunk ${fails} of ${path} does not apply: its context was not found`, { path, hunk: fails });
}
