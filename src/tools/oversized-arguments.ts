// Tool-call arguments too large to run, show, store or send back to the model: kept as a marker with a preview.

/** The key under which a call whose arguments were too large carries their size and a preview instead. */
export const OVERSIZED_ARGUMENTS = '__oversized_arguments__';

/**
 * The most characters of JSON a call's arguments may have. The built-in tools take far less (the largest,
 * python_repl's code and apply_patch's diff, 200,000 characters); past this a call is a runaway reply, and
 * its arguments would go out whole in `tool_start`, into the session and back to the model at every step.
 */
export const MAX_TOOL_ARGUMENTS_CHARS = 256 * 1024;

/** Characters of the arguments' JSON kept as their preview. */
const PREVIEW_CHARS = 1000;

/** What the marker holds. */
export interface OversizedArguments {
  chars: number;
  max_chars: number;
  preview: string;
}

/**
 * The arguments as a turn keeps them: themselves, or `{ __oversized_arguments__: { chars, max_chars, preview } }`
 * when their JSON passes MAX_TOOL_ARGUMENTS_CHARS (the runner refuses such a call without running it).
 */
export function capToolArguments(args: unknown): unknown {
  const json = JSON.stringify(args ?? {}) ?? '';
  if (json.length <= MAX_TOOL_ARGUMENTS_CHARS) return args;
  // Not cut inside a surrogate pair.
  const end = /[\uD800-\uDBFF]/.test(json.charAt(PREVIEW_CHARS - 1)) ? PREVIEW_CHARS - 1 : PREVIEW_CHARS;
  const marker: OversizedArguments = {
    chars: json.length,
    max_chars: MAX_TOOL_ARGUMENTS_CHARS,
    preview: `${json.slice(0, end)}…[truncated]`,
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
  const { chars, preview } = marker as Partial<Record<keyof OversizedArguments, unknown>>;
  return {
    chars: Number.isSafeInteger(chars) ? (chars as number) : (JSON.stringify(args)?.length ?? 0),
    max_chars: MAX_TOOL_ARGUMENTS_CHARS,
    preview: typeof preview === 'string' ? preview : '',
  };
}

/** True for arguments over the limit, or already cut to their marker: the runner refuses such a call. */
export function isOversizedArguments(args: unknown): boolean {
  return capToolArguments(args) !== args || oversizedArguments(args) !== null;
}
