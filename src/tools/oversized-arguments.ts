// Tool-call arguments too large to run, show, store or send back to the model: kept as a marker with a preview.

/** The key under which a call whose arguments were too large carries their size and a preview instead. */
export const OVERSIZED_ARGUMENTS = '__oversized_arguments__';

/**
 * The most characters of JSON a call's arguments may have. The built-in tools take far less (the largest,
 * python_repl's code and apply_patch's diff, 200,000 characters); past this a call is a runaway reply, and
 * its arguments would go out whole in `tool_start`, into the session and back to the model at every step.
 */
export const MAX_TOOL_ARGUMENTS_CHARS = 256 * 1024;

/**
 * The deepest a call's arguments may nest, as the API's bodies (http/body-parser.ts). No tool takes more than a
 * few levels; the walks over arguments (`tool_start`'s JSON, the retry guard's digest, JSON.stringify itself)
 * recurse, and 15,000 levels of `[` overflowed the stack: the stream ended with no `done` nor `error`.
 */
export const MAX_TOOL_ARGUMENTS_DEPTH = 64;

/** Characters of the arguments' JSON kept as their preview. */
const PREVIEW_CHARS = 1000;

/** What the marker holds: `chars` and `max_chars` for arguments too large, `max_depth` for arguments too deep. */
export interface OversizedArguments {
  chars?: number;
  max_chars?: number;
  max_depth?: number;
  preview: string;
}

/** Whether objects and arrays in `value` nest deeper than `limit` (`{}` is 1 deep); a loop, never a recursion. */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [item, depth] = next;
    if (typeof item !== 'object' || item === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item))
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

/** `value` with what nests past `limit` levels replaced by "…" (recurses at most `limit` deep). */
function cutBelow(value: unknown, limit: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (limit === 0) return '…';
  if (Array.isArray(value)) return value.map((item) => cutBelow(item, limit - 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cutBelow(item, limit - 1)]));
}

/** The first PREVIEW_CHARS characters of `json`, not cut inside a surrogate pair. */
function previewOf(json: string): string {
  if (json.length <= PREVIEW_CHARS) return json;
  const end = /[\uD800-\uDBFF]/.test(json.charAt(PREVIEW_CHARS - 1)) ? PREVIEW_CHARS - 1 : PREVIEW_CHARS;
  return `${json.slice(0, end)}…[truncated]`;
}

/**
 * The arguments as a turn keeps them: themselves, or `{ __oversized_arguments__: { chars, max_chars, preview } }`
 * when their JSON passes MAX_TOOL_ARGUMENTS_CHARS, or `{ __oversized_arguments__: { max_depth, preview } }` when
 * they nest deeper than MAX_TOOL_ARGUMENTS_DEPTH (the runner refuses such a call without running it).
 */
export function capToolArguments(args: unknown): unknown {
  if (nestsDeeperThan(args, MAX_TOOL_ARGUMENTS_DEPTH)) {
    const cut = JSON.stringify(cutBelow(args, MAX_TOOL_ARGUMENTS_DEPTH)) ?? '';
    const marker: OversizedArguments = { max_depth: MAX_TOOL_ARGUMENTS_DEPTH, preview: previewOf(cut) };
    return { [OVERSIZED_ARGUMENTS]: marker };
  }
  const json = JSON.stringify(args ?? {}) ?? '';
  if (json.length <= MAX_TOOL_ARGUMENTS_CHARS) return args;
  const marker: OversizedArguments = {
    chars: json.length,
    max_chars: MAX_TOOL_ARGUMENTS_CHARS,
    preview: previewOf(json),
  };
  return { [OVERSIZED_ARGUMENTS]: marker };
}

/**
 * The marker of arguments cut by capToolArguments, or null. A model may send a look-alike marker of its own: its
 * numbers are read only when they are numbers (an object such as `{"toString":0}` throws once put in a text), and
 * the limit is always this one.
 */
export function oversizedArguments(args: unknown): OversizedArguments | null {
  const marker = (args as { [OVERSIZED_ARGUMENTS]?: unknown } | null | undefined)?.[OVERSIZED_ARGUMENTS];
  if (!marker || typeof marker !== 'object') return null;
  const { chars, preview, max_depth } = marker as Partial<Record<keyof OversizedArguments, unknown>>;
  const text = typeof preview === 'string' ? preview : '';
  if (max_depth !== undefined) return { max_depth: MAX_TOOL_ARGUMENTS_DEPTH, preview: text };
  return {
    chars: Number.isSafeInteger(chars) ? (chars as number) : (JSON.stringify(args)?.length ?? 0),
    max_chars: MAX_TOOL_ARGUMENTS_CHARS,
    preview: text,
  };
}
