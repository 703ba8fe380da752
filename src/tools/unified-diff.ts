// Unified diffs: parse into file patches and apply hunks to text in memory (no external `patch` program).

export interface Hunk {
  oldStart: number;
  /** Lines the hunk expects (context and removals) and the lines that replace them. */
  oldLines: string[];
  newLines: string[];
  /** `\ No newline at end of file` after the old or new side. */
  oldNoEol: boolean;
  newNoEol: boolean;
}

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
    const patch: FilePatch = { oldPath: headerPath(line.slice(4), strip), newPath: headerPath(lines[index + 1]!.slice(4), strip), hunks: [] };
    index += 2;
    while (index < lines.length && lines[index]!.startsWith('@@')) {
      const match = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(lines[index]!);
      if (!match) throw new PatchError(`Malformed hunk header: ${lines[index]}`);
      let oldCount = match[2] === undefined ? 1 : Number(match[2]);
      let newCount = match[4] === undefined ? 1 : Number(match[4]);
      const hunk: Hunk = { oldStart: Number(match[1]), oldLines: [], newLines: [], oldNoEol: false, newNoEol: false };
      index++;
      let last = ' ';
      while (index < lines.length && (oldCount > 0 || newCount > 0 || lines[index]!.startsWith('\\'))) {
        const body = lines[index]!;
        const kind = body[0] ?? ' ';
        const content = body.slice(1);
        if (kind === '\\') {
          if (last === '-' || last === ' ') hunk.oldNoEol = true;
          if (last === '+' || last === ' ') hunk.newNoEol = true;
        } else if (kind === ' ' || body === '') {
          hunk.oldLines.push(content);
          hunk.newLines.push(content);
          oldCount--;
          newCount--;
        } else if (kind === '-') {
          hunk.oldLines.push(content);
          oldCount--;
        } else if (kind === '+') {
          hunk.newLines.push(content);
          newCount--;
        } else throw new PatchError(`Unexpected line in hunk: ${body.slice(0, 80)}`);
        if (kind !== '\\') last = kind;
        index++;
      }
      if (oldCount !== 0 || newCount !== 0) throw new PatchError('Hunk is shorter than its header says', { header: match[0] });
      patch.hunks.push(hunk);
    }
    if (patch.hunks.length === 0) throw new PatchError(`No hunks for ${patch.newPath ?? patch.oldPath}`);
    patches.push(patch);
  }
  if (patches.length === 0) throw new PatchError('No file headers (--- / +++) found in the patch');
  return patches;
}

function findBlock(lines: string[], block: string[], expected: number): number {
  const matches = (at: number) => block.every((line, offset) => lines[at + offset] === line);
  const last = lines.length - block.length;
  for (let distance = 0; expected - distance >= 0 || expected + distance <= last; distance++) {
    if (expected + distance <= last && expected + distance >= 0 && matches(expected + distance)) return expected + distance;
    if (distance > 0 && expected - distance >= 0 && expected - distance <= last && matches(expected - distance)) return expected - distance;
  }
  return -1;
}

/** Applies every hunk to `original` (null: the file is new) or throws PatchError naming the hunk that fails. */
export function applyHunks(original: string | null, hunks: Hunk[], path: string): string {
  const source = original ?? '';
  let endsWithNewline = source.endsWith('\n') || source === '';
  const lines = source === '' ? [] : (endsWithNewline ? source.slice(0, -1) : source).split('\n');
  let shift = 0;
  for (const [number, hunk] of hunks.entries()) {
    // A pure insertion (`-N,0`) goes after line N; any other hunk starts at line N.
    const expected = Math.max(0, (hunk.oldLines.length === 0 ? hunk.oldStart : hunk.oldStart - 1) + shift);
    const at = hunk.oldLines.length === 0 ? Math.min(expected, lines.length) : findBlock(lines, hunk.oldLines, expected);
    if (at < 0) throw new PatchError(`Hunk ${number + 1} of ${path} does not apply: its context was not found`, { path, hunk: number + 1 });
    const reachesEnd = at + hunk.oldLines.length === lines.length;
    lines.splice(at, hunk.oldLines.length, ...hunk.newLines);
    shift += hunk.newLines.length - hunk.oldLines.length;
    if (reachesEnd) endsWithNewline = !hunk.newNoEol;
  }
  if (lines.length === 0) return '';
  return lines.join('\n') + (endsWithNewline ? '\n' : '');
}
