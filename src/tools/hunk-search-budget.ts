// How much line matching placing hunks may cost: a budget one apply_patch call shares, and jsdiff's metered compare.
//
// jsdiff's `applyPatch` tries a hunk at every line of the file, nearest the stated line first, and at each
// place walks the hunk until a line differs: file lines × hunk lines. A hunk whose context matches almost
// everywhere (a file of repeated lines) would hold the thread for hours at the tool's size limits. Its
// `compareLine` option is the one hook into that loop, so the cost is charged there. With `fuzzFactor` 0 (ours)
// each try compares the hunk's old lines (` ` and `-`) in order and stops at the first that differs, and the
// `+` lines before a compared line are walked too: a compare is charged 1 plus those `+` lines, so a hunk
// that opens with thousands of insertions pays for them at every place it is tried.
import type { StructuredPatchHunk } from 'diff';

/** Comparisons (weighted as above) one patch may spend placing hunks: a fraction of a second of matching. */
export const MAX_LINE_COMPARISONS = 5_000_000;

/** What is left to spend; one per apply_patch call, shared by all its files and sections. */
export interface HunkSearchBudget {
  readonly limit: number;
  remaining: number;
}

export function createHunkSearchBudget(limit = MAX_LINE_COMPARISONS): HunkSearchBudget {
  return { limit, remaining: limit };
}

/** Thrown from inside jsdiff when the budget runs out; `hunk` is the 0-based index of the hunk being placed. */
export class HunkSearchExhausted extends Error {
  constructor(
    readonly hunk: number,
    readonly limit: number,
  ) {
    super(`Hunk search budget of ${limit} comparisons spent`);
    this.name = 'HunkSearchExhausted';
  }
}

interface Step {
  operation: string;
  /** 1 for the comparison plus the `+` (and `\`) lines jsdiff walks on the way to it. */
  cost: number;
}

function stepsOf(hunk: StructuredPatchHunk): Step[] {
  const steps: Step[] = [];
  let walked = 0;
  for (const line of hunk.lines) {
    const operation = line[0] ?? ' ';
    if (operation === ' ' || operation === '-') {
      steps.push({ operation, cost: 1 + walked });
      walked = 0;
    } else walked++;
  }
  return steps;
}

/**
 * A `compareLine` for one `applyPatch(source, { hunks })` call (fuzzFactor 0) that charges `budget` and throws
 * HunkSearchExhausted when it is spent. It follows jsdiff's walk: a match moves to the hunk's next old line (the
 * next hunk once all matched), a mismatch ends the try and the next starts over. Should its walk ever differ from
 * this (another jsdiff version), each comparison is charged the hunk's dearest step: never less than the real work.
 */
export function meteredCompareLine(hunks: readonly StructuredPatchHunk[], budget: HunkSearchBudget) {
  // Hunks without old lines (pure insertions) fit at once and compare nothing: jsdiff's walk skips them.
  const walked = hunks.map((hunk, index) => ({ index, steps: stepsOf(hunk) })).filter((hunk) => hunk.steps.length);
  let dearest = 1;
  for (const hunk of walked) for (const { cost } of hunk.steps) dearest = Math.max(dearest, cost);
  let [current, step] = [0, 0];
  return (_lineNumber: number, line: string, operation: string, patchContent: string): boolean => {
    const expected = walked[current]?.steps[step];
    budget.remaining -= expected?.operation === operation ? expected.cost : dearest;
    if (budget.remaining < 0) throw new HunkSearchExhausted(walked[current]?.index ?? hunks.length - 1, budget.limit);
    const matches = line === patchContent;
    if (!matches) step = 0;
    else if (++step === walked[current]?.steps.length) [current, step] = [current + 1, 0];
    return matches;
  };
}
